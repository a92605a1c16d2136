import vine from '@vinejs/vine'
import { LICENSE_TYPE_PATTERN } from '#support/license_duration'

/** The most licenses one batch from the panel issues (the CLI has no cap). */
export const PANEL_BATCH_LIMIT = 10_000

const limits = {
  max_devices: vine.number().withoutDecimals().range([1, 10]),
  max_sessions: vine.number().withoutDecimals().range([1, 10]),
}
const optionalId = () => vine.number().withoutDecimals().min(1).max(2_147_483_647).optional()
const policyName = () =>
  vine
    .string()
    .trim()
    .maxLength(60)
    .regex(/^[a-z][a-z0-9-]*$/)
    .optional()

export const batchValidator = vine.create({
  /** Optional with a template: the template's product. */
  product_id: vine
    .number()
    .withoutDecimals()
    .min(1)
    .max(2_147_483_647)
    .optional()
    .requiredIfMissing('template_id'),
  /** A template's type, limits, basis and policy replace the form's. */
  template_id: optionalId(),
  type: vine.string().trim().toLowerCase().regex(LICENSE_TYPE_PATTERN),
  count: vine.number().withoutDecimals().range([1, PANEL_BATCH_LIMIT]),
  ...limits,
  customer_id: optionalId(),
  expiry_basis: vine.enum(['creation', 'first_activation']),
  session_policy: policyName(),
  notes: vine.string().trim().maxLength(2000).optional(),
  batch_token: vine.string().trim().toLowerCase().uuid().optional(),
})

export const licenseUpdateValidator = vine.create({
  status: vine.enum(['active', 'suspended', 'revoked']),
  ...limits,
  customer_id: optionalId(),
  session_policy: policyName(),
  notes: vine.string().trim().maxLength(2000).optional(),
  /** Checked: the field takes the license's template's value again. */
  follow_max_devices: vine.boolean().optional(),
  follow_max_sessions: vine.boolean().optional(),
  follow_session_policy: vine.boolean().optional(),
})

export const quickEditValidator = vine.create({
  status: vine.enum(['active', 'suspended', 'revoked']),
  ...limits,
})

export const bulkValidator = vine.create({
  action: vine.enum(['suspend', 'reactivate', 'revoke']),
  ids: vine
    .array(vine.number().withoutDecimals().min(1).max(Number.MAX_SAFE_INTEGER))
    .minLength(1)
    .maxLength(1000),
})

export const deviceRenameValidator = vine.create({
  name: vine.string().trim().maxLength(120).optional(),
})
