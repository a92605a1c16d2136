import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The lead CRM: institutions with their contacts, versioned notes, tags and
 * a timeline of activities.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('lead_crm_institutions', (table) => {
      table.increments('id')
      table.string('name', 200).notNullable()
      table.string('type', 60).nullable()
      table.string('address', 500).nullable()
      table.string('website', 2048).nullable()
      table.string('status', 12).notNullable().defaultTo('new')
      table.integer('owner_id').nullable().references('admin_users.id').onDelete('SET NULL')
      // The platform customer a won institution became (one each way).
      table
        .integer('customer_id')
        .nullable()
        .unique()
        .references('customers.id')
        .onDelete('SET NULL')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(`
      ALTER TABLE lead_crm_institutions
        ADD CONSTRAINT lead_crm_institutions_status
          CHECK (status IN ('new', 'contacted', 'qualified', 'won', 'lost')),
        ADD CONSTRAINT lead_crm_institutions_name_nonblank CHECK (btrim(name) <> ''),
        ADD CONSTRAINT lead_crm_institutions_website_http
          CHECK (website IS NULL OR website ~* '^(http|https)://')
    `)
    this.schema.raw(
      `CREATE INDEX lead_crm_institutions_status_index ON lead_crm_institutions (status)`
    )

    this.schema.createTable('lead_crm_contacts', (table) => {
      table.increments('id')
      table
        .integer('institution_id')
        .notNullable()
        .references('lead_crm_institutions.id')
        .onDelete('CASCADE')
        .index()
      table.string('name', 200).notNullable()
      table.string('role', 120).nullable()
      table.string('email', 254).nullable()
      table.string('phone', 60).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(
      `ALTER TABLE lead_crm_contacts ADD CONSTRAINT lead_crm_contacts_name_nonblank CHECK (btrim(name) <> '')`
    )

    // A note's current text sits on the note (searched); every text it ever
    // had, the current one included, is a version.
    this.schema.createTable('lead_crm_notes', (table) => {
      table.increments('id')
      table
        .integer('institution_id')
        .notNullable()
        .references('lead_crm_institutions.id')
        .onDelete('CASCADE')
        .index()
      table.text('body').notNullable()
      table.integer('version').notNullable().defaultTo(1)
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(`
      ALTER TABLE lead_crm_notes
        ADD CONSTRAINT lead_crm_notes_body_length CHECK (length(body) BETWEEN 1 AND 20000),
        ADD CONSTRAINT lead_crm_notes_version_positive CHECK (version >= 1)
    `)
    this.schema.createTable('lead_crm_note_versions', (table) => {
      table.bigIncrements('id')
      table.integer('note_id').notNullable().references('lead_crm_notes.id').onDelete('CASCADE')
      table.integer('version').notNullable()
      table.text('body').notNullable()
      // Set when this version brought back an earlier one.
      table.integer('restored_from').nullable()
      table.integer('author_id').nullable().references('admin_users.id').onDelete('SET NULL')
      table.string('author_label', 254).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.unique(['note_id', 'version'])
    })

    this.schema.createTable('lead_crm_tags', (table) => {
      table.increments('id')
      table.string('name', 60).notNullable()
      table.string('color', 7).notNullable().defaultTo('#64748b')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(`
      ALTER TABLE lead_crm_tags
        ADD CONSTRAINT lead_crm_tags_color CHECK (color ~ '^#[0-9a-f]{6}$'),
        ADD CONSTRAINT lead_crm_tags_name_nonblank CHECK (btrim(name) <> '')
    `)
    this.schema.raw(`CREATE UNIQUE INDEX lead_crm_tags_name_unique ON lead_crm_tags (lower(name))`)

    this.schema.createTable('lead_crm_institution_tags', (table) => {
      table
        .integer('institution_id')
        .notNullable()
        .references('lead_crm_institutions.id')
        .onDelete('CASCADE')
      table.integer('tag_id').notNullable().references('lead_crm_tags.id').onDelete('CASCADE')
      table.primary(['institution_id', 'tag_id'])
    })
    this.schema.raw(
      `CREATE INDEX lead_crm_institution_tags_tag_index ON lead_crm_institution_tags (tag_id)`
    )

    this.schema.createTable('lead_crm_activities', (table) => {
      table.bigIncrements('id')
      table
        .integer('institution_id')
        .notNullable()
        .references('lead_crm_institutions.id')
        .onDelete('CASCADE')
      table.string('kind', 20).notNullable()
      table.text('summary').nullable()
      // For status changes: { "from": "...", "to": "..." }.
      table.jsonb('details').notNullable().defaultTo('{}')
      table.timestamp('occurred_at', { useTz: true }).notNullable()
      table.integer('actor_id').nullable().references('admin_users.id').onDelete('SET NULL')
      table.string('actor_label', 254).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(`
      ALTER TABLE lead_crm_activities
        ADD CONSTRAINT lead_crm_activities_kind
          CHECK (kind IN ('call', 'mail', 'meeting', 'status_change', 'converted')),
        ADD CONSTRAINT lead_crm_activities_summary_length CHECK (length(summary) <= 5000)
    `)
    this.schema.raw(
      `CREATE INDEX lead_crm_activities_timeline ON lead_crm_activities (institution_id, occurred_at DESC)`
    )
    this.schema.raw(
      `CREATE INDEX lead_crm_activities_kind_time ON lead_crm_activities (kind, occurred_at)`
    )
  }

  async down() {
    this.schema.dropTable('lead_crm_activities')
    this.schema.dropTable('lead_crm_institution_tags')
    this.schema.dropTable('lead_crm_tags')
    this.schema.dropTable('lead_crm_note_versions')
    this.schema.dropTable('lead_crm_notes')
    this.schema.dropTable('lead_crm_contacts')
    this.schema.dropTable('lead_crm_institutions')
  }
}
