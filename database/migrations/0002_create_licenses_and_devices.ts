import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Licenses and the devices bound to them. The money-like rules live here, in
 * the database, so that no code path (panel, API, ace, a future plugin) can
 * break them: limits, the status set, expiry consistency, one active row per
 * device, and the device limit itself (a trigger that serializes on the
 * license row, so it also holds under concurrent activations).
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('licenses', (table) => {
      table.bigIncrements('id')
      table.string('key', 64).notNullable().unique()
      table.integer('product_id').notNullable().references('products.id').onDelete('RESTRICT')
      table.integer('customer_id').nullable().references('customers.id').onDelete('SET NULL')
      table.string('type', 16).notNullable()
      table.string('expiry_basis', 20).notNullable().defaultTo('creation')
      table.string('status', 16).notNullable().defaultTo('active')
      table.smallint('max_devices').notNullable().defaultTo(1)
      table.smallint('max_sessions').notNullable().defaultTo(1)
      table.string('session_policy', 60).nullable()
      table.jsonb('features').notNullable().defaultTo('{}')
      table.uuid('batch_id').nullable().index()
      table.text('notes').nullable()
      table.timestamp('activated_at', { useTz: true }).nullable()
      table.timestamp('expires_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['product_id'])
      table.index(['customer_id'])
      table.index(['status'])
      table.index(['type'])
    })

    this.schema.raw(`
      ALTER TABLE licenses
        ADD CONSTRAINT licenses_key_normalized CHECK (key = upper(btrim(key)) AND length(key) >= 4),
        ADD CONSTRAINT licenses_type_format CHECK (type ~ '^(perpetual|[1-9][0-9]{0,3}[hdwmy])$'),
        ADD CONSTRAINT licenses_expiry_basis CHECK (expiry_basis IN ('creation', 'first_activation')),
        ADD CONSTRAINT licenses_status CHECK (status IN ('active', 'suspended', 'revoked')),
        ADD CONSTRAINT licenses_max_devices CHECK (max_devices BETWEEN 1 AND 10),
        ADD CONSTRAINT licenses_max_sessions CHECK (max_sessions >= 1 AND max_sessions <= max_devices),
        ADD CONSTRAINT licenses_features_object CHECK (jsonb_typeof(features) = 'object'),
        ADD CONSTRAINT licenses_expiry_consistent CHECK (
          CASE
            WHEN type = 'perpetual' THEN expires_at IS NULL
            WHEN expiry_basis = 'first_activation' THEN (activated_at IS NULL) = (expires_at IS NULL)
            ELSE expires_at IS NOT NULL
          END
        )
    `)

    this.schema.createTable('devices', (table) => {
      table.bigIncrements('id')
      table.bigInteger('license_id').notNullable().references('licenses.id').onDelete('CASCADE')
      table.string('fingerprint', 255).notNullable()
      table.string('name', 120).nullable()
      table.string('type', 40).nullable()
      table.boolean('active').notNullable().defaultTo(true)
      table.timestamp('first_activated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('deactivated_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['license_id'])
    })

    this.schema.raw(`
      ALTER TABLE devices
        ADD CONSTRAINT devices_fingerprint_length CHECK (length(fingerprint) BETWEEN 1 AND 255),
        ADD CONSTRAINT devices_active_consistent CHECK (active = (deactivated_at IS NULL))
    `)
    this.schema.raw(`
      CREATE UNIQUE INDEX devices_one_active_per_fingerprint
        ON devices (license_id, fingerprint) WHERE active
    `)

    /**
     * The device limit as a database rule. Locking the license row first
     * makes concurrent activations of one license queue up here, so the
     * count below is never stale.
     */
    this.schema.raw(`
      CREATE FUNCTION devices_enforce_limit() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        allowed smallint;
        in_use integer;
      BEGIN
        IF NOT NEW.active OR (TG_OP = 'UPDATE' AND OLD.active) THEN
          RETURN NEW;
        END IF;
        SELECT max_devices INTO allowed FROM licenses WHERE id = NEW.license_id FOR UPDATE;
        SELECT count(*) INTO in_use FROM devices
          WHERE license_id = NEW.license_id AND active AND id <> NEW.id;
        IF in_use >= allowed THEN
          RAISE EXCEPTION 'device limit reached for license %', NEW.license_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'devices_within_max_devices';
        END IF;
        RETURN NEW;
      END
      $$
    `)
    this.schema.raw(`
      CREATE TRIGGER devices_enforce_limit
        BEFORE INSERT OR UPDATE OF active ON devices
        FOR EACH ROW EXECUTE FUNCTION devices_enforce_limit()
    `)
  }

  async down() {
    this.schema.dropTable('devices')
    this.schema.raw('DROP FUNCTION IF EXISTS devices_enforce_limit()')
    this.schema.dropTable('licenses')
  }
}
