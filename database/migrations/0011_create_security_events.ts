import { BaseSchema } from '@adonisjs/lucid/schema'
import { monthPartitionFunctions } from '#database/month_partition_functions'

/**
 * Security events, the alerts detectors raise from them, and the automatic
 * actions taken (docs/decisions/0018-security-events.md).
 *
 * - `security_events`: one row per refused client request that matters
 *   (unknown keys, limits, bad API keys, rate limits, version refusals,
 *   SDK reports) and per failed panel login. Partitioned by month like the
 *   heartbeat log, kept by the same upkeep and retention functions' twins.
 *   No foreign keys: an event outlives the license or key it names.
 *   Fingerprints are stored as their SHA-256 digest, never raw.
 * - `security_alerts`: one open (or acknowledged) alert per rule and
 *   subject, enforced by a partial unique index; a detector that finds the
 *   same again appends evidence instead of opening another.
 * - `security_alert_evidence`: what an alert rests on, copied from the
 *   events (and session starts) so it survives their partitions' retention.
 * - `security_alert_actions`: what was done about an alert, automatically
 *   or by an admin, and whether it was reversed.
 * - `security_rule_overrides`: a product's own settings of a rule.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.raw(`
      CREATE TABLE security_events (
        id bigint GENERATED ALWAYS AS IDENTITY,
        at timestamptz NOT NULL,
        kind varchar(40) NOT NULL CHECK (kind IN (
          'license_not_found', 'device_limit_reached', 'session_limit_reached',
          'single_use_already_used', 'invalid_api_key', 'rate_limited', 'version_refused',
          'lease_tampering', 'clock_rollback', 'panel_login_failed', 'panel_login_locked')),
        license_id bigint,
        product_id integer,
        api_key_id integer,
        ip inet,
        fingerprint_digest char(64) CHECK (fingerprint_digest ~ '^[0-9a-f]{64}$'),
        user_agent varchar(300),
        details jsonb NOT NULL DEFAULT '{}'::jsonb,
        PRIMARY KEY (id, at)
      ) PARTITION BY RANGE (at)
    `)
    this.schema.raw('CREATE INDEX security_events_at ON security_events (at)')
    this.schema.raw('CREATE INDEX security_events_kind_at ON security_events (kind, at)')
    this.schema.raw(
      'CREATE INDEX security_events_license_at ON security_events (license_id, at) WHERE license_id IS NOT NULL'
    )
    this.schema.raw('CREATE INDEX security_events_ip_at ON security_events (ip, at)')
    this.schema.raw('CREATE SCHEMA IF NOT EXISTS security_partitions')
    const partitions = monthPartitionFunctions({
      table: 'security_events',
      schema: 'security_partitions',
      ensureFunction: 'ensure_security_event_partitions',
      dropFunction: 'drop_security_event_partitions_before',
    })
    this.schema.raw(partitions.ensure)
    this.schema.raw(partitions.drop)
    this.schema.raw(`SELECT ensure_security_event_partitions(now() - interval '1 month', 4)`)

    this.schema.createTable('security_alerts', (table) => {
      table.bigIncrements('id')
      table.string('rule', 40).notNullable()
      /** What the alert is about, e.g. `license:12`, `ip:203.0.113.7`, `api_key:3`. */
      table.string('subject', 120).notNullable()
      table.string('status', 20).notNullable().defaultTo('open')
      table.string('severity', 10).notNullable()
      table.string('summary', 300).notNullable()
      table.bigInteger('license_id').nullable().references('licenses.id').onDelete('SET NULL')
      table.integer('product_id').nullable().references('products.id').onDelete('SET NULL')
      table.specificType('ip', 'inet').nullable()
      table.integer('evidence_count').notNullable().defaultTo(0)
      table.timestamp('opened_at', { useTz: true }).notNullable()
      table.timestamp('last_seen_at', { useTz: true }).notNullable()
      table.timestamp('acknowledged_at', { useTz: true }).nullable()
      table.string('acknowledged_by', 254).nullable()
      table.timestamp('resolved_at', { useTz: true }).nullable()
      table.string('resolved_by', 254).nullable()
      table.index(['status', 'opened_at'])
      table.index(['license_id'])
    })
    this.schema.raw(
      `ALTER TABLE security_alerts ADD CONSTRAINT security_alerts_status_known
         CHECK (status IN ('open', 'acknowledged', 'resolved'))`
    )
    this.schema.raw(
      `ALTER TABLE security_alerts ADD CONSTRAINT security_alerts_severity_known
         CHECK (severity IN ('low', 'medium', 'high'))`
    )
    this.schema.raw(
      `ALTER TABLE security_alerts ADD CONSTRAINT security_alerts_resolution_stamped
         CHECK ((status = 'resolved') = (resolved_at IS NOT NULL))`
    )
    this.schema.raw(
      `CREATE UNIQUE INDEX security_alerts_one_unresolved ON security_alerts (rule, subject)
         WHERE status <> 'resolved'`
    )

    this.schema.createTable('security_alert_evidence', (table) => {
      table.bigIncrements('id')
      table
        .bigInteger('alert_id')
        .notNullable()
        .references('security_alerts.id')
        .onDelete('CASCADE')
      /** Where the item came from (`event:81`, `session:12`): appended once per alert. */
      table.string('source', 60).notNullable()
      table.timestamp('at', { useTz: true }).notNullable()
      table.string('kind', 40).notNullable()
      table.bigInteger('license_id').nullable()
      table.specificType('ip', 'inet').nullable()
      table.specificType('fingerprint_digest', 'char(64)').nullable()
      table.jsonb('details').notNullable().defaultTo('{}')
      table.unique(['alert_id', 'source'])
      table.index(['alert_id', 'at'])
    })

    this.schema.createTable('security_alert_actions', (table) => {
      table.bigIncrements('id')
      table
        .bigInteger('alert_id')
        .notNullable()
        .references('security_alerts.id')
        .onDelete('CASCADE')
      table.string('action', 30).notNullable()
      table.boolean('automatic').notNullable()
      /** What reversing needs: the blocked-IP row, the license's status before. */
      table.jsonb('details').notNullable().defaultTo('{}')
      table.string('created_by', 254).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable()
      table.timestamp('reversed_at', { useTz: true }).nullable()
      table.string('reversed_by', 254).nullable()
      table.index(['alert_id'])
    })
    this.schema.raw(
      `ALTER TABLE security_alert_actions ADD CONSTRAINT security_alert_actions_known
         CHECK (action IN ('block_ip', 'suspend_license', 'end_sessions'))`
    )

    this.schema.createTable('security_rule_overrides', (table) => {
      table.integer('product_id').notNullable().references('products.id').onDelete('CASCADE')
      table.string('rule', 40).notNullable()
      /** Null: as config/security.ts says. */
      table.boolean('enabled').nullable()
      table.integer('threshold').nullable()
      table.integer('window_minutes').nullable()
      table.specificType('actions', 'text[]').nullable()
      table.timestamp('updated_at', { useTz: true }).notNullable()
      table.primary(['product_id', 'rule'])
    })
    this.schema.raw(
      `ALTER TABLE security_rule_overrides ADD CONSTRAINT security_rule_overrides_sane
         CHECK ((threshold IS NULL OR threshold BETWEEN 1 AND 100000)
           AND (window_minutes IS NULL OR window_minutes BETWEEN 1 AND 10080)
           AND (actions IS NULL OR actions <@ ARRAY['block_ip', 'suspend_license', 'end_sessions']::text[]))`
    )
  }

  async down() {
    this.schema.dropTableIfExists('security_rule_overrides')
    this.schema.dropTableIfExists('security_alert_actions')
    this.schema.dropTableIfExists('security_alert_evidence')
    this.schema.dropTableIfExists('security_alerts')
    this.schema.raw('DROP TABLE IF EXISTS security_events')
    this.schema.raw(
      'DROP FUNCTION IF EXISTS ensure_security_event_partitions(timestamptz, integer)'
    )
    this.schema.raw('DROP FUNCTION IF EXISTS drop_security_event_partitions_before(timestamptz)')
    this.schema.raw('DROP SCHEMA IF EXISTS security_partitions CASCADE')
  }
}
