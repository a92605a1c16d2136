import { type SchemaRules } from '@adonisjs/lucid/types/schema_generator'

/**
 * int8 values are parsed to JavaScript numbers (see providers/app_provider),
 * and JSON columns are plain objects.
 */
const numericId = () => ({
  columnName: 'id',
  columnInfo: { tsType: 'number', decorators: [{ name: '@column', args: { isPrimary: true } }] },
})
/** A bigint column that is part of a composite primary key. */
const numericKeyPart = {
  tsType: 'number',
  decorators: [{ name: '@column', args: { isPrimary: true } }],
}
const jsonObject = { tsType: 'Record<string, unknown>', decorators: [{ name: '@column' }] }
const textArray = { tsType: 'string[]', decorators: [{ name: '@column' }] }
const localizedText = { tsType: 'Record<string, string>', decorators: [{ name: '@column' }] }

export default {
  types: {
    bigint: { tsType: 'number', decorators: [{ name: '@column' }] },
  },
  tables: {
    licenses: {
      primaryKey: numericId,
      columns: { features: jsonObject, template_overrides: textArray },
    },
    license_entitlements: { columns: { license_id: numericKeyPart } },
    license_meter_limits: { columns: { license_id: numericKeyPart } },
    usage_counters: { columns: { license_id: numericKeyPart } },
    usage_idempotency_keys: { columns: { license_id: numericKeyPart, response: jsonObject } },
    usage_events: { primaryKey: numericId },
    device_transfers: { primaryKey: numericId },
    devices: { primaryKey: numericId },
    backups: { primaryKey: numericId },
    audit_logs: { primaryKey: numericId, columns: { before: jsonObject, after: jsonObject } },
    security_events: { primaryKey: numericId, columns: { details: jsonObject } },
    security_alerts: { primaryKey: numericId },
    security_alert_evidence: { primaryKey: numericId, columns: { details: jsonObject } },
    security_alert_actions: { primaryKey: numericId, columns: { details: jsonObject } },
    security_rule_overrides: { columns: { actions: textArray } },
    // lead-crm plugin
    lead_crm_activities: { primaryKey: numericId, columns: { details: jsonObject } },
    lead_crm_note_versions: { primaryKey: numericId },
    // version-gate plugin (its migrations run whether it is enabled or not)
    version_gate_configs: { columns: { session_limit_message: localizedText } },
    version_gate_config_revisions: {
      primaryKey: numericId,
      columns: { snapshot: jsonObject, changed_fields: textArray },
    },
  },
} satisfies SchemaRules
