import vine from '@vinejs/vine'
import { licenseKeyRule } from '#validators/license_api'

/** The format of an entitlement code, as the catalogue's check constraint has it. */
export const ENTITLEMENT_CODE = /^[a-z][a-z0-9_]{0,59}$/

/**
 * `POST /api/license/entitlements/check`. A code that cannot exist is a
 * mistake of the program asking (422); one that could but is not in the
 * catalogue is merely missing.
 */
export const entitlementsCheckValidator = vine.create({
  license_key: licenseKeyRule(),
  entitlements: vine.array(vine.string().regex(ENTITLEMENT_CODE)).minLength(1).maxLength(100),
})
