import { hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import { SecurityAlertSchema } from '#database/schema'
import type { SecurityRuleName } from '#config/security'
import SecurityAlertEvidence from '#models/security_alert_evidence'
import SecurityAlertAction from '#models/security_alert_action'

export type AlertStatus = 'open' | 'acknowledged' | 'resolved'

/**
 * A detector's finding about one subject (a license, an address, an API key,
 * a device): open until an admin acknowledges or resolves it. While it is
 * not resolved, the same finding again appends evidence to it.
 */
export default class SecurityAlert extends SecurityAlertSchema {
  static table = 'security_alerts'

  declare rule: SecurityRuleName
  declare status: AlertStatus
  declare severity: 'low' | 'medium' | 'high'

  @hasMany(() => SecurityAlertEvidence, { foreignKey: 'alertId' })
  declare evidence: HasMany<typeof SecurityAlertEvidence>

  @hasMany(() => SecurityAlertAction, { foreignKey: 'alertId' })
  declare actions: HasMany<typeof SecurityAlertAction>
}
