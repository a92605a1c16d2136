import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Entitlements, license templates, meters and their usage, grace periods
 * and device transfers (docs/decisions/0016).
 *
 * - A product has a catalogue of entitlements (feature flags) and meters
 *   (usage limits). A license template is a named set of defaults of one
 *   product. A license that uses a template follows it live: its effective
 *   entitlements and meter limits are computed at read time (template, then
 *   the license's own grants, withdrawals and limits), never copied, and the
 *   template's device, session and policy settings are carried to its
 *   licenses unless the license overrides them (`template_overrides`).
 * - Usage is counted per license, meter and period in `usage_counters`,
 *   whose row lock serializes concurrent records across processes; every
 *   record is also an event in `usage_events`, partitioned by month like the
 *   heartbeat log. An idempotency key answers its first result for 24 hours.
 * - Grace: an expired license keeps working for the product's
 *   `expiry_grace_days`; a crashed device's session stops blocking other
 *   devices after the product's `reclaim_grace_seconds` without heartbeats.
 * - Transfers and self-service deactivations are recorded in
 *   `device_transfers`, which the cooldown and the quota count.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('products', (table) => {
      table.smallint('expiry_grace_days').notNullable().defaultTo(0)
      table.integer('reclaim_grace_seconds').nullable()
      table.integer('transfer_cooldown_seconds').notNullable().defaultTo(0)
      table.smallint('transfer_quota').nullable()
      table.smallint('transfer_quota_period_days').notNullable().defaultTo(30)
    })
    this.schema.raw(`
      ALTER TABLE products
        ADD CONSTRAINT products_expiry_grace_range CHECK (expiry_grace_days BETWEEN 0 AND 365),
        ADD CONSTRAINT products_reclaim_grace_range CHECK (reclaim_grace_seconds BETWEEN 0 AND 86400),
        ADD CONSTRAINT products_transfer_cooldown_range
          CHECK (transfer_cooldown_seconds BETWEEN 0 AND 31536000),
        ADD CONSTRAINT products_transfer_quota_range CHECK (transfer_quota BETWEEN 0 AND 1000),
        ADD CONSTRAINT products_transfer_period_range CHECK (transfer_quota_period_days BETWEEN 1 AND 3650)
    `)

    this.schema.createTable('entitlements', (table) => {
      table.increments('id')
      table.integer('product_id').notNullable().references('products.id').onDelete('CASCADE')
      table.string('code', 60).notNullable()
      table.string('name', 120).notNullable()
      table.text('description').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.unique(['product_id', 'code'])
    })
    this.schema.raw(
      `ALTER TABLE entitlements ADD CONSTRAINT entitlements_code_format CHECK (code ~ '^[a-z][a-z0-9_]{0,59}$')`
    )

    this.schema.createTable('meters', (table) => {
      table.increments('id')
      table.integer('product_id').notNullable().references('products.id').onDelete('CASCADE')
      table.string('code', 60).notNullable()
      table.string('name', 120).notNullable()
      table.text('description').nullable()
      /** none, hour, day, month, year (calendar-aligned in time_zone) or rolling. */
      table.string('period', 10).notNullable().defaultTo('month')
      table.integer('rolling_seconds').nullable()
      table.string('time_zone', 64).notNullable().defaultTo('UTC')
      /** Null: no limit unless a template or the license sets one. */
      table.bigInteger('default_limit').nullable()
      table.string('overage', 10).notNullable().defaultTo('deny')
      table.smallint('tolerance_percent').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.unique(['product_id', 'code'])
    })
    this.schema.raw(`
      ALTER TABLE meters
        ADD CONSTRAINT meters_code_format CHECK (code ~ '^[a-z][a-z0-9_]{0,59}$'),
        ADD CONSTRAINT meters_period CHECK (period IN ('none', 'hour', 'day', 'month', 'year', 'rolling')),
        ADD CONSTRAINT meters_rolling_window CHECK (
          (period = 'rolling') = (rolling_seconds IS NOT NULL)
          AND (rolling_seconds IS NULL OR rolling_seconds BETWEEN 60 AND 31622400)
        ),
        ADD CONSTRAINT meters_default_limit CHECK (default_limit >= 0),
        ADD CONSTRAINT meters_overage CHECK (overage IN ('deny', 'allow', 'tolerance')),
        ADD CONSTRAINT meters_tolerance CHECK (
          (overage = 'tolerance') = (tolerance_percent IS NOT NULL)
          AND (tolerance_percent IS NULL OR tolerance_percent BETWEEN 1 AND 1000)
        )
    `)

    this.schema.createTable('license_templates', (table) => {
      table.increments('id')
      table.integer('product_id').notNullable().references('products.id').onDelete('CASCADE')
      table.string('name', 120).notNullable()
      table.text('description').nullable()
      table.string('type', 16).notNullable()
      table.string('expiry_basis', 20).notNullable().defaultTo('creation')
      table.smallint('max_devices').notNullable().defaultTo(1)
      table.smallint('max_sessions').notNullable().defaultTo(1)
      table.string('session_policy', 60).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
    this.schema.raw(`
      ALTER TABLE license_templates
        ADD CONSTRAINT license_templates_name_length CHECK (length(btrim(name)) BETWEEN 1 AND 120),
        ADD CONSTRAINT license_templates_type_format CHECK (type ~ '^(perpetual|[1-9][0-9]{0,3}[hdwmy])$'),
        ADD CONSTRAINT license_templates_expiry_basis CHECK (expiry_basis IN ('creation', 'first_activation')),
        ADD CONSTRAINT license_templates_max_devices CHECK (max_devices BETWEEN 1 AND 10),
        ADD CONSTRAINT license_templates_max_sessions CHECK (max_sessions >= 1 AND max_sessions <= max_devices)
    `)
    this.schema.raw(
      `CREATE UNIQUE INDEX license_templates_name_unique ON license_templates (product_id, lower(name))`
    )

    this.schema.createTable('license_template_entitlements', (table) => {
      table
        .integer('template_id')
        .notNullable()
        .references('license_templates.id')
        .onDelete('CASCADE')
      table
        .integer('entitlement_id')
        .notNullable()
        .references('entitlements.id')
        .onDelete('CASCADE')
      table.primary(['template_id', 'entitlement_id'])
    })

    this.schema.createTable('license_template_meters', (table) => {
      table
        .integer('template_id')
        .notNullable()
        .references('license_templates.id')
        .onDelete('CASCADE')
      table.integer('meter_id').notNullable().references('meters.id').onDelete('CASCADE')
      /** Null: unlimited for licenses of this template. */
      table.bigInteger('limit').nullable()
      table.primary(['template_id', 'meter_id'])
    })
    this.schema.raw(
      `ALTER TABLE license_template_meters ADD CONSTRAINT license_template_meters_limit CHECK ("limit" >= 0)`
    )

    this.schema.alterTable('licenses', (table) => {
      // A template in use cannot be deleted: its licenses would lose what they were sold.
      table
        .integer('template_id')
        .nullable()
        .references('license_templates.id')
        .onDelete('RESTRICT')
      table.index(['template_id'])
    })
    this.schema.raw(`
      ALTER TABLE licenses
        ADD COLUMN template_overrides text[] NOT NULL DEFAULT '{}',
        ADD CONSTRAINT licenses_template_overrides CHECK (
          template_overrides <@ ARRAY['max_devices', 'max_sessions', 'session_policy']::text[]
        )
    `)

    /** A license's own entitlements: granted on top of its template, or withdrawn from it. */
    this.schema.createTable('license_entitlements', (table) => {
      table.bigInteger('license_id').notNullable().references('licenses.id').onDelete('CASCADE')
      table
        .integer('entitlement_id')
        .notNullable()
        .references('entitlements.id')
        .onDelete('CASCADE')
      table.boolean('granted').notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['license_id', 'entitlement_id'])
    })
    this.schema.raw(
      'CREATE INDEX license_entitlements_entitlement ON license_entitlements (entitlement_id)'
    )

    /** A license's own limit of a meter, over its template's and the meter's default. */
    this.schema.createTable('license_meter_limits', (table) => {
      table.bigInteger('license_id').notNullable().references('licenses.id').onDelete('CASCADE')
      table.integer('meter_id').notNullable().references('meters.id').onDelete('CASCADE')
      /** Null: unlimited for this license. */
      table.bigInteger('limit').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['license_id', 'meter_id'])
    })
    this.schema.raw(
      `ALTER TABLE license_meter_limits ADD CONSTRAINT license_meter_limits_limit CHECK ("limit" >= 0)`
    )

    /**
     * Recorded usage per license, meter and period (`period_start` is the
     * start of a calendar period; 'epoch' for period none and as the
     * serializing row of a rolling meter). `overage` is the part of `used`
     * recorded past the limit (policies allow and tolerance).
     */
    this.schema.createTable('usage_counters', (table) => {
      table.bigInteger('license_id').notNullable().references('licenses.id').onDelete('CASCADE')
      table.integer('meter_id').notNullable().references('meters.id').onDelete('CASCADE')
      table.timestamp('period_start', { useTz: true }).notNullable()
      table.bigInteger('used').notNullable().defaultTo(0)
      table.bigInteger('overage').notNullable().defaultTo(0)
      /** The last admin reset; a rolling meter counts only the events after it. */
      table.timestamp('reset_at', { useTz: true }).nullable()
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.primary(['license_id', 'meter_id', 'period_start'])
    })
    this.schema.raw(`
      ALTER TABLE usage_counters
        ADD CONSTRAINT usage_counters_used CHECK (used >= 0),
        ADD CONSTRAINT usage_counters_overage CHECK (overage BETWEEN 0 AND used)
    `)
    this.schema.raw(
      'CREATE INDEX usage_counters_meter_period ON usage_counters (meter_id, period_start)'
    )

    /** The first answer to an idempotency key, replayed for 24 hours. */
    this.schema.createTable('usage_idempotency_keys', (table) => {
      table.bigInteger('license_id').notNullable().references('licenses.id').onDelete('CASCADE')
      table.string('idempotency_key', 200).notNullable()
      table.integer('meter_id').notNullable().references('meters.id').onDelete('CASCADE')
      table.bigInteger('amount').notNullable()
      table.smallint('status').notNullable()
      table.jsonb('response').notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.primary(['license_id', 'idempotency_key'])
      table.index(['created_at'])
    })

    /**
     * Every usage record, partitioned by month on `at` (partitions in the
     * schema usage_partitions, kept by the same daily job and retention
     * functions' twins as the heartbeat log).
     */
    this.schema.raw(`
      CREATE TABLE usage_events (
        id bigint GENERATED ALWAYS AS IDENTITY,
        license_id bigint NOT NULL,
        meter_id integer NOT NULL,
        amount bigint NOT NULL CHECK (amount > 0),
        at timestamptz NOT NULL,
        period_start timestamptz NOT NULL,
        over_limit boolean NOT NULL DEFAULT false,
        idempotency_key varchar(200),
        api_key_id integer,
        PRIMARY KEY (id, at)
      ) PARTITION BY RANGE (at)
    `)
    this.schema.raw(
      'CREATE INDEX usage_events_license_at ON usage_events (license_id, meter_id, at)'
    )
    this.schema.raw('CREATE INDEX usage_events_meter_at ON usage_events (meter_id, at)')
    this.schema.raw('CREATE SCHEMA IF NOT EXISTS usage_partitions')
    this.schema.raw(`
      CREATE FUNCTION ensure_usage_partitions(from_at timestamptz, months_ahead integer)
      RETURNS SETOF text LANGUAGE plpgsql AS $$
      DECLARE
        month_start date := date_trunc('month', from_at AT TIME ZONE 'UTC')::date;
        partition_name text;
      BEGIN
        FOR i IN 0..months_ahead LOOP
          partition_name := format('usage_events_y%sm%s',
            to_char(month_start, 'YYYY'), to_char(month_start, 'MM'));
          IF to_regclass('usage_partitions.' || partition_name) IS NULL THEN
            EXECUTE format(
              'CREATE TABLE usage_partitions.%I PARTITION OF public.usage_events '
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
      CREATE FUNCTION drop_usage_partitions_before(cutoff timestamptz)
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
          WHERE parent.relname = 'usage_events' AND ns.nspname = 'usage_partitions'
            AND child.relname ~ '^usage_events_y[0-9]{4}m[0-9]{2}$'
            AND (to_date(substring(child.relname from 15 for 4) || substring(child.relname from 20 for 2), 'YYYYMM')
                 + interval '1 month')::timestamp AT TIME ZONE 'UTC' <= cutoff
        LOOP
          EXECUTE format('DROP TABLE usage_partitions.%I', partition.name);
          RETURN NEXT partition.name;
        END LOOP;
      END
      $$
    `)
    this.schema.raw(`SELECT ensure_usage_partitions(now() - interval '1 month', 4)`)

    /**
     * The counter period of a meter at a moment: the SQL twin of
     * counterPeriodAt (app/services/usage/periods.ts; a test holds them
     * equal). Calendar periods start at local midnight (or the 1st, or
     * 1 January) in the meter's zone; an hour is the instant minus its local
     * minutes; `none` and `rolling` count on the epoch row and have no
     * calendar reset.
     */
    this.schema.raw(`
      CREATE FUNCTION usage_period(p_period text, p_time_zone text, p_at timestamptz,
        OUT period_start timestamptz, OUT resets_at timestamptz)
      LANGUAGE sql STABLE AS $$
        SELECT
          CASE WHEN p_period IN ('none', 'rolling') THEN 'epoch'::timestamptz
               WHEN p_period = 'hour' THEN p_at - (zoned.local - date_trunc('hour', zoned.local))
               ELSE date_trunc(p_period, zoned.local) AT TIME ZONE p_time_zone END,
          CASE WHEN p_period IN ('none', 'rolling') THEN NULL
               WHEN p_period = 'hour'
                 THEN p_at - (zoned.local - date_trunc('hour', zoned.local)) + interval '1 hour'
               ELSE (date_trunc(p_period, zoned.local) + ('1 ' || p_period)::interval)
                 AT TIME ZONE p_time_zone END
        FROM (SELECT p_at AT TIME ZONE p_time_zone AS local) AS zoned
      $$
    `)

    /**
     * One usage record, atomically (app/services/usage/usage_recorder.ts
     * runs it in the same statement as the lookup of the license, the
     * meter, its effective limit and period: one round trip). Nothing
     * happens for a null license (not found, or not usable). The ceiling
     * follows the meter's overage policy: `deny` stops at the limit,
     * `tolerance` at floor(limit × (100 + percent) / 100), `allow` and an
     * unlimited meter never. A calendar or lifetime counter is one upsert
     * whose condition is checked on the locked, latest row, so concurrent
     * records of any process never take `used` past the ceiling. A rolling
     * meter locks its counter row first, then sums its window's events in a
     * fresh snapshot. An idempotency key answers its stored first result;
     * a twin that committed first makes the final INSERT fail (unique
     * violation), which undoes this record and lets the caller replay.
     */
    this.schema.raw(`
      CREATE FUNCTION record_usage(
        p_license_id bigint, p_meter_id integer, p_meter_code text, p_amount bigint,
        p_at timestamptz, p_period_start timestamptz, p_resets_at timestamptz,
        p_rolling_seconds integer, p_limit bigint, p_overage text, p_tolerance_percent integer,
        p_idempotency_key text, p_api_key_id integer, p_log_event boolean)
      RETURNS TABLE (answer_status smallint, answer jsonb, replayed boolean,
                     key_meter_id integer, key_amount bigint)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_used bigint;
        v_recorded boolean;
        v_resets_at timestamptz := p_resets_at;
        v_from timestamptz;
        v_oldest timestamptz;
        v_over boolean;
        v_status smallint;
        v_answer jsonb;
        v_key_created_at timestamptz;
        v_ceiling bigint := CASE
          WHEN p_limit IS NULL OR p_overage = 'allow' THEN NULL
          WHEN p_overage = 'tolerance' THEN LEAST(
            floor(p_limit::numeric * (100 + p_tolerance_percent) / 100), 9223372036854775807)::bigint
          ELSE p_limit END;
      BEGIN
        IF p_license_id IS NULL THEN RETURN; END IF;
        IF p_idempotency_key IS NOT NULL THEN
          SELECT k.created_at INTO v_key_created_at FROM usage_idempotency_keys k
           WHERE k.license_id = p_license_id AND k.idempotency_key = p_idempotency_key;
          IF v_key_created_at > p_at - interval '24 hours' THEN
            RETURN QUERY SELECT k.status, k.response, true, k.meter_id, k.amount
              FROM usage_idempotency_keys k
             WHERE k.license_id = p_license_id AND k.idempotency_key = p_idempotency_key;
            RETURN;
          END IF;
          -- An expired key is used afresh (the upkeep job purges the others).
          IF v_key_created_at IS NOT NULL THEN
            DELETE FROM usage_idempotency_keys k
             WHERE k.license_id = p_license_id AND k.idempotency_key = p_idempotency_key
               AND k.created_at <= p_at - interval '24 hours';
          END IF;
        END IF;

        IF p_rolling_seconds IS NULL THEN
          INSERT INTO usage_counters AS c (license_id, meter_id, period_start, used, overage, updated_at)
          SELECT p_license_id, p_meter_id, p_period_start, p_amount,
                 CASE WHEN p_limit IS NULL THEN 0 ELSE LEAST(p_amount, GREATEST(p_amount - p_limit, 0)) END,
                 p_at
           WHERE v_ceiling IS NULL OR p_amount <= v_ceiling
          ON CONFLICT (license_id, meter_id, period_start) DO UPDATE
             SET used = c.used + EXCLUDED.used,
                 overage = c.overage + CASE WHEN p_limit IS NULL THEN 0
                   ELSE LEAST(EXCLUDED.used, GREATEST(c.used + EXCLUDED.used - p_limit, 0)) END,
                 updated_at = EXCLUDED.updated_at
           WHERE v_ceiling IS NULL OR c.used + EXCLUDED.used <= v_ceiling
          RETURNING c.used INTO v_used;
          v_recorded := FOUND;
          IF NOT v_recorded THEN
            SELECT c.used INTO v_used FROM usage_counters c
             WHERE c.license_id = p_license_id AND c.meter_id = p_meter_id
               AND c.period_start = p_period_start;
            v_used := COALESCE(v_used, 0);
          END IF;
        ELSE
          INSERT INTO usage_counters AS c (license_id, meter_id, period_start, used, overage, updated_at)
          VALUES (p_license_id, p_meter_id, p_period_start, 0, 0, p_at)
          ON CONFLICT (license_id, meter_id, period_start) DO UPDATE SET updated_at = EXCLUDED.updated_at
          RETURNING c.reset_at INTO v_from;
          v_from := GREATEST(p_at - make_interval(secs => p_rolling_seconds), COALESCE(v_from, '-infinity'));
          SELECT COALESCE(sum(e.amount), 0), min(e.at) INTO v_used, v_oldest FROM usage_events e
           WHERE e.license_id = p_license_id AND e.meter_id = p_meter_id AND e.at > v_from;
          v_recorded := v_ceiling IS NULL OR v_used + p_amount <= v_ceiling;
          IF v_recorded THEN
            v_used := v_used + p_amount;
            v_oldest := LEAST(v_oldest, p_at);
          END IF;
          v_resets_at := v_oldest + make_interval(secs => p_rolling_seconds);
        END IF;

        IF v_recorded THEN
          v_over := p_limit IS NOT NULL AND v_used > p_limit;
          -- A rolling meter counts its events: it never records without one.
          IF p_log_event OR p_rolling_seconds IS NOT NULL THEN
            INSERT INTO usage_events
              (license_id, meter_id, amount, at, period_start, over_limit, idempotency_key, api_key_id)
            VALUES (p_license_id, p_meter_id, p_amount, p_at, p_period_start, v_over,
                    p_idempotency_key, p_api_key_id);
          END IF;
          v_status := 201;
          v_answer := jsonb_build_object(
            'meter', p_meter_code, 'amount', p_amount, 'used', v_used, 'limit', p_limit,
            'remaining', CASE WHEN p_limit IS NULL THEN NULL ELSE GREATEST(p_limit - v_used, 0) END,
            'resets_at', to_char(v_resets_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
            'over_limit', v_over,
            'recorded_at', to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
        ELSE
          v_status := 409;
          v_answer := jsonb_build_object(
            'code', 'USAGE_LIMIT_REACHED', 'limit', p_limit, 'used', v_used,
            'resets_at', to_char(v_resets_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
        END IF;

        IF p_idempotency_key IS NOT NULL THEN
          INSERT INTO usage_idempotency_keys
            (license_id, idempotency_key, meter_id, amount, status, response, created_at)
          VALUES (p_license_id, p_idempotency_key, p_meter_id, p_amount, v_status, v_answer, p_at);
        END IF;
        RETURN QUERY SELECT v_status, v_answer, false, p_meter_id, p_amount;
      END
      $$
    `)

    /**
     * Device moves: a transfer (one fingerprint's binding to another) or a
     * self-service deactivation. `counted` ones make up the cooldown and the
     * quota; an admin's are recorded but not counted.
     */
    this.schema.createTable('device_transfers', (table) => {
      table.bigIncrements('id')
      table.bigInteger('license_id').notNullable().references('licenses.id').onDelete('CASCADE')
      table.string('kind', 16).notNullable()
      table.bigInteger('device_id').nullable().references('devices.id').onDelete('SET NULL')
      table.string('from_fingerprint', 255).notNullable()
      table.string('to_fingerprint', 255).nullable()
      table.boolean('counted').notNullable().defaultTo(true)
      table.string('actor_type', 20).notNullable()
      table.string('actor_label', 200).nullable()
      table.timestamp('at', { useTz: true }).notNullable()
      table.index(['license_id', 'at'])
    })
    this.schema.raw(`
      ALTER TABLE device_transfers
        ADD CONSTRAINT device_transfers_kind CHECK (kind IN ('transfer', 'deactivation')),
        ADD CONSTRAINT device_transfers_target CHECK ((kind = 'transfer') = (to_fingerprint IS NOT NULL))
    `)
  }

  async down() {
    this.schema.dropTable('device_transfers')
    this.schema.raw(
      'DROP FUNCTION IF EXISTS record_usage(bigint, integer, text, bigint, timestamptz, timestamptz, timestamptz, integer, bigint, text, integer, text, integer, boolean)'
    )
    this.schema.raw('DROP FUNCTION IF EXISTS usage_period(text, text, timestamptz)')
    this.schema.raw('DROP TABLE IF EXISTS usage_events')
    this.schema.raw('DROP SCHEMA IF EXISTS usage_partitions CASCADE')
    this.schema.raw('DROP FUNCTION IF EXISTS drop_usage_partitions_before(timestamptz)')
    this.schema.raw('DROP FUNCTION IF EXISTS ensure_usage_partitions(timestamptz, integer)')
    this.schema.dropTable('usage_idempotency_keys')
    this.schema.dropTable('usage_counters')
    this.schema.dropTable('license_meter_limits')
    this.schema.dropTable('license_entitlements')
    this.schema.raw('ALTER TABLE licenses DROP COLUMN template_overrides')
    this.schema.alterTable('licenses', (table) => {
      table.dropColumn('template_id')
    })
    this.schema.dropTable('license_template_meters')
    this.schema.dropTable('license_template_entitlements')
    this.schema.dropTable('license_templates')
    this.schema.dropTable('meters')
    this.schema.dropTable('entitlements')
    this.schema.alterTable('products', (table) => {
      table.dropColumn('expiry_grace_days')
      table.dropColumn('reclaim_grace_seconds')
      table.dropColumn('transfer_cooldown_seconds')
      table.dropColumn('transfer_quota')
      table.dropColumn('transfer_quota_period_days')
    })
  }
}
