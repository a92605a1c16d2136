import vine from '@vinejs/vine'
import { licenseKeyRule, PRINTABLE } from '#validators/license_api'

/** The format of a meter code, as the catalogue's check constraint has it. */
export const METER_CODE = /^[a-z][a-z0-9_]{0,59}$/

/** The most one record may count. */
export const MAX_USAGE_AMOUNT = 1_000_000

/**
 * `POST /api/license/usage`. A code that cannot exist is a mistake of the
 * program (422); one that could but is not in the catalogue is
 * `404 METER_NOT_FOUND`.
 */
export const usageRecordValidator = vine.create({
  license_key: licenseKeyRule(),
  meter: vine.string().regex(METER_CODE),
  amount: vine.number().withoutDecimals().range([1, MAX_USAGE_AMOUNT]).optional(),
  idempotency_key: vine.string().minLength(1).maxLength(200).regex(PRINTABLE).optional(),
})
