import { SecurityAlertActionSchema } from '#database/schema'
import type { AutomaticAction } from '#config/security'

/** What was done about an alert, automatically or by an admin, and whether it was undone. */
export default class SecurityAlertAction extends SecurityAlertActionSchema {
  static table = 'security_alert_actions'

  declare action: AutomaticAction
}
