import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Panel access: admin users with their two-factor settings, single-use
 * recovery codes (stored as hashes), and the IP ranges refused at the door.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('admin_users', (table) => {
      table.increments('id')
      table.string('email', 254).notNullable()
      table.string('full_name', 120).nullable()
      table.string('password', 255).notNullable()
      table.string('role', 10).notNullable().defaultTo('admin')
      table.string('locale', 5).notNullable().defaultTo('en')
      // The TOTP secret, encrypted with APP_KEY; it must be read back to
      // check codes, so it cannot be hashed.
      table.text('totp_secret').nullable()
      table.timestamp('totp_enabled_at', { useTz: true }).nullable()
      // The time step of the last accepted code: a code works once.
      table.bigInteger('totp_last_step').nullable()
      table.timestamp('last_login_at', { useTz: true }).nullable()
      table.specificType('last_login_ip', 'inet').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(`
      ALTER TABLE admin_users
        ADD CONSTRAINT admin_users_role CHECK (role IN ('admin', 'owner')),
        ADD CONSTRAINT admin_users_locale CHECK (locale IN ('en', 'de')),
        ADD CONSTRAINT admin_users_email_normalized CHECK (email = lower(btrim(email)) AND email LIKE '%_@_%'),
        ADD CONSTRAINT admin_users_totp_consistent CHECK (totp_enabled_at IS NULL OR totp_secret IS NOT NULL)
    `)
    this.schema.raw(`CREATE UNIQUE INDEX admin_users_email_unique ON admin_users (email)`)

    this.schema.createTable('admin_recovery_codes', (table) => {
      table.bigIncrements('id')
      table.integer('admin_user_id').notNullable().references('admin_users.id').onDelete('CASCADE')
      table.specificType('code_hash', 'char(64)').notNullable()
      table.timestamp('used_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.unique(['admin_user_id', 'code_hash'])
    })

    this.schema.createTable('blocked_ips', (table) => {
      table.increments('id')
      table.specificType('network', 'cidr').notNullable().unique()
      table.string('reason', 200).nullable()
      table.string('created_by', 254).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(
      `CREATE INDEX blocked_ips_network_gist ON blocked_ips USING gist (network inet_ops)`
    )
  }

  async down() {
    this.schema.dropTable('blocked_ips')
    this.schema.dropTable('admin_recovery_codes')
    this.schema.dropTable('admin_users')
  }
}
