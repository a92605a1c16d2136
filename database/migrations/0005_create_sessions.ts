import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The session engine's tables.
 *
 * - `license_sessions`: sessions not yet ended. A row is live while
 *   `expires_at` (last heartbeat + timeout) lies in the future; this is
 *   decided at request time, so a crashed client's row blocks nobody once it
 *   has expired, whether or not the sweeper has moved it yet.
 * - `session_history`: every ended session, with why it ended. Rows move
 *   here (same id) in the transaction that ends them.
 * - `session_heartbeats`: one row per heartbeat, partitioned by month so
 *   that retention is a DROP of a partition, not a DELETE of millions.
 * - `license_usage_hourly`: figures per license and hour for the panel.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('license_sessions', (table) => {
      table.bigIncrements('id')
      table.bigInteger('license_id').notNullable().references('licenses.id').onDelete('CASCADE')
      table.bigInteger('device_id').notNullable().references('devices.id').onDelete('CASCADE')
      table.string('fingerprint', 255).notNullable()
      table.specificType('token_hash', 'char(64)').notNullable().unique()
      table.text('token_sealed').notNullable()
      table.string('policy', 60).notNullable()
      table.string('client_version', 64).nullable()
      table.string('ip', 45).nullable()
      table.integer('heartbeat_interval').notNullable()
      table.integer('session_timeout').notNullable()
      table.integer('heartbeat_count').notNullable().defaultTo(0)
      table.timestamp('started_at', { useTz: true }).notNullable()
      table.timestamp('last_heartbeat_at', { useTz: true }).notNullable()
      table.timestamp('expires_at', { useTz: true }).notNullable()
      table.index(['license_id'])
      table.index(['device_id'])
    })
    /**
     * Heartbeats rewrite last_heartbeat_at, expires_at and heartbeat_count
     * and nothing else. Leaving those columns unindexed and pages room to
     * spare keeps that UPDATE a heap-only one (no index entry written per
     * beat). The sweeper scans this table, which only ever holds the
     * sessions not yet ended.
     */
    this.schema.raw('ALTER TABLE license_sessions SET (fillfactor = 70)')
    this.schema.raw(`
      ALTER TABLE license_sessions
        ADD CONSTRAINT license_sessions_timing CHECK (
          heartbeat_interval >= 1 AND session_timeout >= 2 * heartbeat_interval
          AND last_heartbeat_at >= started_at AND expires_at > last_heartbeat_at
        )
    `)

    /**
     * The session limit as a database rule, beside the policies: whatever a
     * policy decides, no license ever has more than max_sessions sessions
     * live at once. Like the device limit, it serializes on the license row.
     */
    this.schema.raw(`
      CREATE FUNCTION license_sessions_enforce_limit() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        allowed smallint;
        live integer;
      BEGIN
        SELECT max_sessions INTO allowed FROM licenses WHERE id = NEW.license_id FOR UPDATE;
        SELECT count(*) INTO live FROM license_sessions
          WHERE license_id = NEW.license_id AND expires_at > NEW.started_at AND id <> NEW.id;
        IF live >= allowed THEN
          RAISE EXCEPTION 'session limit reached for license %', NEW.license_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'license_sessions_within_max_sessions';
        END IF;
        RETURN NEW;
      END
      $$
    `)
    this.schema.raw(`
      CREATE TRIGGER license_sessions_enforce_limit
        BEFORE INSERT ON license_sessions
        FOR EACH ROW EXECUTE FUNCTION license_sessions_enforce_limit()
    `)

    this.schema.createTable('session_history', (table) => {
      table.bigInteger('id').primary()
      table.bigInteger('license_id').notNullable().references('licenses.id').onDelete('CASCADE')
      table.bigInteger('device_id').nullable().references('devices.id').onDelete('SET NULL')
      table.string('fingerprint', 255).notNullable()
      table.specificType('token_hash', 'char(64)').notNullable().unique()
      table.string('policy', 60).notNullable()
      table.string('client_version', 64).nullable()
      table.string('ip', 45).nullable()
      table.integer('heartbeat_count').notNullable().defaultTo(0)
      table.timestamp('started_at', { useTz: true }).notNullable()
      table.timestamp('last_heartbeat_at', { useTz: true }).notNullable()
      table.timestamp('ended_at', { useTz: true }).notNullable()
      table.string('end_reason', 16).notNullable()
      table.string('ended_by', 120).nullable()
      table.index(['license_id', 'ended_at'])
      table.index(['ended_at'])
      table.index(['end_reason'])
    })
    this.schema.raw(`
      ALTER TABLE session_history
        ADD CONSTRAINT session_history_end_reason CHECK (
          end_reason IN ('normal', 'timeout', 'forced', 'replaced', 'deactivated', 'license')
        ),
        ADD CONSTRAINT session_history_timing CHECK (ended_at >= started_at)
    `)

    this.schema.raw(`
      CREATE TABLE session_heartbeats (
        session_id bigint NOT NULL,
        license_id bigint NOT NULL,
        at timestamptz NOT NULL
      ) PARTITION BY RANGE (at)
    `)
    this.schema.raw(
      `CREATE INDEX session_heartbeats_license_at ON session_heartbeats (license_id, at)`
    )

    /**
     * Partition upkeep lives in SQL so the migration and the daily job share
     * one definition. Partitions live in a schema of their own (so Lucid's
     * generated schema.ts does not change every month) and are named
     * heartbeat_partitions.session_heartbeats_yYYYYmMM.
     */
    this.schema.raw('CREATE SCHEMA IF NOT EXISTS heartbeat_partitions')
    this.schema.raw(`
      CREATE FUNCTION ensure_heartbeat_partitions(from_at timestamptz, months_ahead integer)
      RETURNS SETOF text LANGUAGE plpgsql AS $$
      DECLARE
        month_start date := date_trunc('month', from_at AT TIME ZONE 'UTC')::date;
        partition_name text;
      BEGIN
        FOR i IN 0..months_ahead LOOP
          partition_name := format('session_heartbeats_y%sm%s',
            to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
          IF to_regclass('heartbeat_partitions.' || partition_name) IS NULL THEN
            EXECUTE format(
              'CREATE TABLE heartbeat_partitions.%I PARTITION OF public.session_heartbeats '
              'FOR VALUES FROM (%L) TO (%L)',
              partition_name,
              (month_start::timestamp AT TIME ZONE 'UTC'),
              ((month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
            RETURN NEXT partition_name;
          END IF;
          month_start := (month_start + interval '1 month')::date;
        END LOOP;
      END
      $$
    `)
    this.schema.raw(`
      CREATE FUNCTION drop_heartbeat_partitions_before(cutoff timestamptz)
      RETURNS SETOF text LANGUAGE plpgsql AS $$
      DECLARE
        partition record;
      BEGIN
        FOR partition IN
          SELECT child.relname AS name
          FROM pg_inherits
          JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
          JOIN pg_class child ON child.oid = pg_inherits.inhrelid
          JOIN pg_namespace ns ON ns.oid = child.relnamespace
          WHERE parent.relname = 'session_heartbeats' AND ns.nspname = 'heartbeat_partitions'
            AND child.relname ~ '^session_heartbeats_y[0-9]{4}m[0-9]{2}$'
            AND (to_date(substring(child.relname from 21 for 4) || substring(child.relname from 26 for 2), 'YYYYMM')
                 + interval '1 month')::timestamp AT TIME ZONE 'UTC' <= cutoff
        LOOP
          EXECUTE format('DROP TABLE heartbeat_partitions.%I', partition.name);
          RETURN NEXT partition.name;
        END LOOP;
      END
      $$
    `)
    this.schema.raw(`SELECT ensure_heartbeat_partitions(now() - interval '1 month', 4)`)

    this.schema.createTable('license_usage_hourly', (table) => {
      table.bigInteger('license_id').notNullable().references('licenses.id').onDelete('CASCADE')
      table.timestamp('hour', { useTz: true }).notNullable()
      table.integer('sessions').notNullable()
      table.integer('devices').notNullable()
      table.integer('heartbeats').notNullable()
      table.primary(['license_id', 'hour'])
      table.index(['hour'])
    })
  }

  async down() {
    this.schema.dropTable('license_usage_hourly')
    this.schema.raw('DROP TABLE IF EXISTS session_heartbeats')
    this.schema.raw('DROP SCHEMA IF EXISTS heartbeat_partitions CASCADE')
    this.schema.raw('DROP FUNCTION IF EXISTS drop_heartbeat_partitions_before(timestamptz)')
    this.schema.raw('DROP FUNCTION IF EXISTS ensure_heartbeat_partitions(timestamptz, integer)')
    this.schema.dropTable('session_history')
    this.schema.dropTable('license_sessions')
    this.schema.raw('DROP FUNCTION IF EXISTS license_sessions_enforce_limit()')
  }
}
