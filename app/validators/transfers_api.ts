import vine from '@vinejs/vine'
import { fingerprintRule, licenseKeyRule, PRINTABLE } from '#validators/license_api'

/** `POST /api/license/transfer`: fingerprints as `hardware_fingerprint` takes them. */
export const transferValidator = vine.create({
  license_key: licenseKeyRule(),
  from_fingerprint: fingerprintRule(),
  to_fingerprint: fingerprintRule(),
  device_name: vine.string().trim().minLength(1).maxLength(120).regex(PRINTABLE).optional(),
})
