import vine from '@vinejs/vine'
import { CLIENT_REPORT_KINDS } from '#services/security/security_events'
import { fingerprintRule, licenseKeyRule, PRINTABLE } from '#validators/license_api'

const moment = () =>
  vine
    .string()
    .maxLength(40)
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$/)
    .optional()

/**
 * `POST /api/license/report`: what the SDK detected on the device. The
 * moments are the device's own clock, as it saw them, for the evidence.
 */
export const securityReportValidator = vine.create({
  license_key: licenseKeyRule(),
  hardware_fingerprint: fingerprintRule().optional(),
  kind: vine.enum(CLIENT_REPORT_KINDS),
  /** The device's clock when it noticed. */
  observed_at: moment(),
  /** The latest moment the SDK had seen before (a clock now behind it was rolled back). */
  last_seen_at: moment(),
  /** The lease concerned (its `jti`), for tampering. */
  lease_id: vine.string().maxLength(100).regex(PRINTABLE).optional(),
  message: vine.string().trim().maxLength(500).regex(PRINTABLE).optional(),
})
