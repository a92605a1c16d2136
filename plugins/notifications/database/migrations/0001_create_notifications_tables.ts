import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Notifications: webhook endpoints and their deliveries, the events they
 * carry (one id per event, for the receivers' idempotency), the admins'
 * e-mail subscriptions, and what the periodic checks already announced.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('notifications_webhook_endpoints', (table) => {
      table.increments('id')
      table.string('url', 2048).notNullable()
      table.string('description', 200).nullable()
      table.specificType('events', 'text[]').notNullable()
      // Encrypted with APP_KEY: deliveries need it in clear to sign.
      table.text('secret_sealed').notNullable()
      table.boolean('enabled').notNullable().defaultTo(true)
      // Since when every attempt has failed (null after a success).
      table.timestamp('failing_since', { useTz: true }).nullable()
      table.timestamp('disabled_at', { useTz: true }).nullable()
      table.string('disabled_reason', 20).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(`
      ALTER TABLE notifications_webhook_endpoints
        ADD CONSTRAINT notifications_webhook_endpoints_events_nonempty
          CHECK (cardinality(events) > 0),
        ADD CONSTRAINT notifications_webhook_endpoints_url_http
          CHECK (url ~* '^(http|https)://'),
        ADD CONSTRAINT notifications_webhook_endpoints_disabled_reason
          CHECK (disabled_reason IS NULL OR disabled_reason IN ('admin', 'failing'))
    `)

    this.schema.createTable('notifications_events', (table) => {
      table.uuid('id').primary()
      table.string('type', 60).notNullable()
      table.jsonb('data').notNullable()
      // Where the panel shows the event's subject (the e-mails link there).
      table.string('panel_path', 300).notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.index(['created_at'])
    })

    this.schema.createTable('notifications_deliveries', (table) => {
      table.bigIncrements('id')
      table
        .integer('endpoint_id')
        .notNullable()
        .references('notifications_webhook_endpoints.id')
        .onDelete('CASCADE')
      table.uuid('event_id').notNullable().references('notifications_events.id').onDelete('CASCADE')
      table.string('status', 10).notNullable().defaultTo('pending')
      table.integer('attempts').notNullable().defaultTo(0)
      table.timestamp('next_attempt_at', { useTz: true }).nullable()
      table.timestamp('last_attempt_at', { useTz: true }).nullable()
      table.integer('response_status').nullable()
      table.integer('duration_ms').nullable()
      table.string('error', 500).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      // One delivery per event and endpoint: a redelivery sends the same one again.
      table.unique(['endpoint_id', 'event_id'])
      table.index(['endpoint_id', 'id'])
    })
    this.schema.raw(`
      ALTER TABLE notifications_deliveries
        ADD CONSTRAINT notifications_deliveries_status
          CHECK (status IN ('pending', 'succeeded', 'failed')),
        ADD CONSTRAINT notifications_deliveries_attempts CHECK (attempts >= 0)
    `)

    this.schema.createTable('notifications_email_subscriptions', (table) => {
      table.integer('admin_user_id').notNullable().references('admin_users.id').onDelete('CASCADE')
      table.string('event_type', 60).notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['admin_user_id', 'event_type'])
      table.index(['event_type'])
    })

    // One notice per license, kind and expiry: a renewed license is announced again.
    this.schema.createTable('notifications_expiry_notices', (table) => {
      table.integer('license_id').notNullable().references('licenses.id').onDelete('CASCADE')
      table.string('kind', 10).notNullable()
      table.timestamp('expires_at', { useTz: true }).notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['license_id', 'kind', 'expires_at'])
    })
    this.schema.raw(`
      ALTER TABLE notifications_expiry_notices
        ADD CONSTRAINT notifications_expiry_notices_kind CHECK (kind IN ('expiring', 'expired'))
    `)

    // A condition (backup overdue, worker silent) is announced when it starts, once.
    this.schema.createTable('notifications_conditions', (table) => {
      table.string('name', 40).primary()
      table.timestamp('raised_at', { useTz: true }).notNullable()
    })
  }

  async down() {
    this.schema.dropTable('notifications_conditions')
    this.schema.dropTable('notifications_expiry_notices')
    this.schema.dropTable('notifications_email_subscriptions')
    this.schema.dropTable('notifications_deliveries')
    this.schema.dropTable('notifications_events')
    this.schema.dropTable('notifications_webhook_endpoints')
  }
}
