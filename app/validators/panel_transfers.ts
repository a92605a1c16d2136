import vine from '@vinejs/vine'
import { fingerprintRule, PRINTABLE } from '#validators/license_api'

/** The panel's transfer form: which active device, to which fingerprint, under which name. */
export const panelTransferValidator = vine.create({
  device_id: vine.number().withoutDecimals().positive(),
  to_fingerprint: fingerprintRule(),
  device_name: vine.string().trim().minLength(1).maxLength(120).regex(PRINTABLE).optional(),
})
