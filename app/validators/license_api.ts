import vine from '@vinejs/vine'
import { deriveFingerprint } from '#support/license_keys'

/**
 * Field rules shared by the client API. Printable means: no control,
 * format or unassigned characters (`\p{C}`).
 */
export const PRINTABLE = /^[^\p{C}]+$/u

export const licenseKeyRule = () =>
  vine
    .string()
    .trim()
    .minLength(4)
    .maxLength(64)
    .regex(/^[A-Za-z0-9_-]+$/)
    .toUpperCase()

export const fingerprintRule = () => vine.string().minLength(8).maxLength(255).regex(PRINTABLE)

/**
 * `machine_id` and `hardware_hash` only make sense together: one without the
 * other is refused rather than silently ignored.
 */
const identityPart = (other: string) =>
  vine.string().minLength(1).maxLength(255).regex(PRINTABLE).optional().requiredIfExists(other)

const deviceIdentity = {
  hardware_fingerprint: fingerprintRule()
    .optional()
    .requiredIfAnyMissing(['machine_id', 'hardware_hash']),
  machine_id: identityPart('hardware_hash'),
  hardware_hash: identityPart('machine_id'),
}

/**
 * The fingerprint a request names: as sent, or derived from
 * `machine_id` + `hardware_hash`.
 */
export function fingerprintOf(payload: {
  hardware_fingerprint?: string
  machine_id?: string
  hardware_hash?: string
}): string | undefined {
  if (payload.hardware_fingerprint) return payload.hardware_fingerprint
  if (payload.machine_id && payload.hardware_hash) {
    return deriveFingerprint(payload.machine_id, payload.hardware_hash)
  }
  return undefined
}

export const activateValidator = vine.create({
  license_key: licenseKeyRule(),
  ...deviceIdentity,
  device_name: vine.string().trim().minLength(1).maxLength(120).regex(PRINTABLE).optional(),
  device_type: vine.string().trim().minLength(1).maxLength(40).regex(PRINTABLE).optional(),
})

export const deactivateValidator = vine.create({
  license_key: licenseKeyRule(),
  ...deviceIdentity,
})

export const verifyValidator = vine.create({
  license_key: licenseKeyRule(),
  hardware_fingerprint: fingerprintRule().optional(),
  machine_id: deviceIdentity.machine_id,
  hardware_hash: deviceIdentity.hardware_hash,
  version: vine.string().trim().minLength(1).maxLength(64).optional(),
})

export const licenseKeyParamValidator = vine.create({
  license_key: licenseKeyRule(),
})

export const singleUseActivateValidator = vine.create({
  license_key: licenseKeyRule(),
  domain_fingerprint: vine.string().trim().minLength(1).maxLength(255).regex(PRINTABLE),
})

/** Session tokens are ours (43 characters); anything far off is refused early. */
const sessionTokenRule = () =>
  vine
    .string()
    .minLength(16)
    .maxLength(128)
    .regex(/^[A-Za-z0-9_-]+$/)

export const sessionStartValidator = vine.create({
  license_key: licenseKeyRule(),
  ...deviceIdentity,
  version: vine.string().trim().minLength(1).maxLength(64).regex(PRINTABLE).optional(),
})

export const sessionHeartbeatValidator = vine.create({
  session_token: sessionTokenRule(),
  license_key: licenseKeyRule(),
})

export const sessionEndValidator = vine.create({
  session_token: sessionTokenRule(),
})
