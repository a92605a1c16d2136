import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Resource pools (docs/decisions/0017-resource-allocation.md): domains,
 * IPv4 addresses, phone numbers and the configured types, allocated to
 * licenses.
 *
 * - A resource is allocated to at most one license by its shape: the
 *   license is one column of the resource, and a license can be set only
 *   while the resource is `allocated`. Its foreign key is ON DELETE SET
 *   NULL, so deleting a license is never blocked: the resource is left
 *   `allocated` to no one, and the reconcile job releases it.
 * - Every allocation, release, quarantine, return, swap, report and
 *   retirement is a row of `resource_pools_events`, which keeps the
 *   license's key: the history outlives a deleted license.
 * - What a license asks for: its template's counts per type, unless the
 *   license has counts of its own (read at allocation time, not copied).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('resource_pools_resources', (table) => {
      table.bigIncrements('id')
      table.string('type', 30).notNullable()
      table.string('value', 255).notNullable()
      table.string('pool', 60).nullable()
      table.string('status', 12).notNullable().defaultTo('available')
      table.text('notes').nullable()
      table.bigInteger('license_id').nullable().references('licenses.id').onDelete('SET NULL')
      table.timestamp('allocated_at', { useTz: true }).nullable()
      table.timestamp('quarantined_until', { useTz: true }).nullable()
      // A client reported it as not working; cleared by an admin or a swap.
      table.timestamp('flagged_at', { useTz: true }).nullable()
      table.string('flag_reason', 500).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.unique(['type', 'value'])
    })
    this.schema.raw(`
      ALTER TABLE resource_pools_resources
        ADD CONSTRAINT resource_pools_resources_type_format CHECK (type ~ '^[a-z][a-z0-9_]{0,29}$'),
        ADD CONSTRAINT resource_pools_resources_value_nonblank CHECK (btrim(value) <> ''),
        ADD CONSTRAINT resource_pools_resources_pool_nonblank CHECK (pool IS NULL OR btrim(pool) <> ''),
        ADD CONSTRAINT resource_pools_resources_status
          CHECK (status IN ('available', 'allocated', 'quarantined', 'retired')),
        ADD CONSTRAINT resource_pools_resources_license_only_when_allocated
          CHECK (license_id IS NULL OR status = 'allocated'),
        ADD CONSTRAINT resource_pools_resources_allocated_at
          CHECK ((status = 'allocated') = (allocated_at IS NOT NULL)),
        ADD CONSTRAINT resource_pools_resources_quarantine_end
          CHECK ((status = 'quarantined') = (quarantined_until IS NOT NULL))
    `)
    // The allocation's scan: free resources of a type, oldest first.
    this.schema.raw(`
      CREATE INDEX resource_pools_resources_free
        ON resource_pools_resources (type, id) WHERE status = 'available'
    `)
    this.schema.raw(`
      CREATE INDEX resource_pools_resources_license
        ON resource_pools_resources (license_id) WHERE license_id IS NOT NULL
    `)
    this.schema.raw(`
      CREATE INDEX resource_pools_resources_quarantine
        ON resource_pools_resources (quarantined_until) WHERE status = 'quarantined'
    `)
    this.schema.raw(`
      CREATE INDEX resource_pools_resources_orphans
        ON resource_pools_resources (id) WHERE status = 'allocated' AND license_id IS NULL
    `)

    this.schema.createTable('resource_pools_events', (table) => {
      table.bigIncrements('id')
      table
        .bigInteger('resource_id')
        .notNullable()
        .references('resource_pools_resources.id')
        .onDelete('CASCADE')
      table.string('action', 20).notNullable()
      table.bigInteger('license_id').nullable().references('licenses.id').onDelete('SET NULL')
      table.string('license_key', 64).nullable()
      // The resource a swap put in its place (or took it from).
      table
        .bigInteger('other_resource_id')
        .nullable()
        .references('resource_pools_resources.id')
        .onDelete('SET NULL')
      table.string('actor_type', 12).notNullable()
      table.string('actor_label', 255).nullable()
      table.string('reason', 500).nullable()
      table.timestamp('at', { useTz: true }).notNullable()
    })
    this.schema.raw(`
      ALTER TABLE resource_pools_events
        ADD CONSTRAINT resource_pools_events_action CHECK (action IN (
          'added', 'allocated', 'released', 'quarantined', 'returned',
          'swapped_out', 'swapped_in', 'reported', 'flag_cleared', 'retired'
        ))
    `)
    this.schema.raw(
      `CREATE INDEX resource_pools_events_resource ON resource_pools_events (resource_id, id)`
    )
    this.schema.raw(
      `CREATE INDEX resource_pools_events_license ON resource_pools_events (license_id, id) WHERE license_id IS NOT NULL`
    )

    this.schema.createTable('resource_pools_template_needs', (table) => {
      table
        .integer('template_id')
        .notNullable()
        .references('license_templates.id')
        .onDelete('CASCADE')
      table.string('type', 30).notNullable()
      table.smallint('count').notNullable()
      table.primary(['template_id', 'type'])
    })
    this.schema.createTable('resource_pools_license_needs', (table) => {
      table.bigInteger('license_id').notNullable().references('licenses.id').onDelete('CASCADE')
      table.string('type', 30).notNullable()
      table.smallint('count').notNullable()
      table.primary(['license_id', 'type'])
    })
    this.schema.raw(`
      ALTER TABLE resource_pools_template_needs
        ADD CONSTRAINT resource_pools_template_needs_count CHECK (count BETWEEN 0 AND 1000);
      ALTER TABLE resource_pools_license_needs
        ADD CONSTRAINT resource_pools_license_needs_count CHECK (count BETWEEN 0 AND 1000)
    `)
  }

  async down() {
    this.schema.dropTable('resource_pools_license_needs')
    this.schema.dropTable('resource_pools_template_needs')
    this.schema.dropTable('resource_pools_events')
    this.schema.dropTable('resource_pools_resources')
  }
}
