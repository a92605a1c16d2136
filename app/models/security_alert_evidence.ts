import { SecurityAlertEvidenceSchema } from '#database/schema'

/** One item an alert rests on: a copy of a security event or a session start. */
export default class SecurityAlertEvidence extends SecurityAlertEvidenceSchema {
  static table = 'security_alert_evidence'
}
