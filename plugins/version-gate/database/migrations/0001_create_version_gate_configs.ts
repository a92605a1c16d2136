import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The client configuration of each product (one row per product) and every
 * earlier state of it: who published which version, and what else changed.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('version_gate_configs', (table) => {
      table.increments('id')
      table
        .integer('product_id')
        .notNullable()
        .unique()
        .references('products.id')
        .onDelete('CASCADE')
      table.string('client_name', 120).notNullable()
      // Canonical semantic versions, as normalized by the plugin.
      table.string('current_version', 64).notNullable()
      table.string('minimum_version', 64).notNullable()
      table.string('download_url', 2048).nullable()
      table.text('whats_new').nullable()
      table.integer('heartbeat_interval').notNullable()
      table.integer('session_timeout').notNullable()
      // SESSION_LIMIT_REACHED text per locale, e.g. {"en": "...", "de": "..."}.
      table.jsonb('session_limit_message').notNullable().defaultTo('{}')
      table.boolean('require_version').notNullable().defaultTo(false)
      table.integer('revision').notNullable().defaultTo(1)
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(`
      ALTER TABLE version_gate_configs
        ADD CONSTRAINT version_gate_configs_heartbeat_interval CHECK (heartbeat_interval BETWEEN 5 AND 3600),
        ADD CONSTRAINT version_gate_configs_timeout_twice_interval
          CHECK (session_timeout >= 2 * heartbeat_interval AND session_timeout <= 86400),
        ADD CONSTRAINT version_gate_configs_versions_nonblank
          CHECK (current_version <> '' AND minimum_version <> ''),
        ADD CONSTRAINT version_gate_configs_download_url_http
          CHECK (download_url IS NULL OR download_url ~* '^(http|https)://'),
        ADD CONSTRAINT version_gate_configs_whats_new_length CHECK (length(whats_new) <= 20000),
        ADD CONSTRAINT version_gate_configs_message_object CHECK (jsonb_typeof(session_limit_message) = 'object'),
        ADD CONSTRAINT version_gate_configs_revision_positive CHECK (revision >= 1)
    `)

    this.schema.createTable('version_gate_config_revisions', (table) => {
      table.bigIncrements('id')
      table
        .integer('client_config_id')
        .notNullable()
        .references('version_gate_configs.id')
        .onDelete('CASCADE')
      table.integer('revision').notNullable()
      // The whole configuration as saved, and the fields this save changed.
      table.jsonb('snapshot').notNullable()
      table.specificType('changed_fields', 'text[]').notNullable()
      table.string('actor_type', 20).notNullable()
      table.string('actor_id', 64).nullable()
      table.string('actor_label', 254).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.unique(['client_config_id', 'revision'])
    })
  }

  async down() {
    this.schema.dropTable('version_gate_config_revisions')
    this.schema.dropTable('version_gate_configs')
  }
}
