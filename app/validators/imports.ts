import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import { LICENSE_TYPE_PATTERN } from '#support/license_duration'
import { licenseKeyRule } from '#validators/license_api'
import { productSlugRule } from '#validators/panel_products'

/** The largest PostgreSQL integer, the type of customers.id. */
const MAX_INT = 2_147_483_647

/**
 * A point in time as ISO 8601 with an offset (`2026-01-31T12:00:00.000Z`,
 * what the export writes), kept as the string: the plan reads it with Luxon.
 */
const isoInstant = vine.createRule((value, _options, field) => {
  if (!field.isValid) return
  const text = String(value)
  const parsed = DateTime.fromISO(text, { setZone: true })
  if (!parsed.isValid || !/(Z|[+-]\d{2}:?\d{2})$/i.test(text)) {
    field.report(
      'The {{ field }} field must be a date and time in ISO 8601 with a time zone',
      'isoInstant',
      field
    )
  }
})

/** One row of a customer import: the panel form's rules, plus the id that decides. */
export const customerImportRowValidator = vine.create({
  customer_id: vine.number().withoutDecimals().range([1, MAX_INT]).optional(),
  name: vine.string().trim().minLength(1).maxLength(200),
  email: vine.string().trim().toLowerCase().email().maxLength(254).optional(),
  company: vine.string().trim().maxLength(200).optional(),
  notes: vine.string().trim().maxLength(5000).optional(),
})

/**
 * One row of a license import. The cells each field is checked against
 * alone; what depends on the product, the template or other rows is the
 * plan's (LicenseTransfer).
 */
export const licenseImportRowValidator = vine.create({
  /**
   * A legacy system's key as well as ours: what the client API takes (and
   * normalizes as it does), which the database's `licenses_key_normalized`
   * check takes too. A key the API refused would be imported for nothing.
   */
  key: licenseKeyRule(),
  product: productSlugRule(),
  template: vine.string().trim().maxLength(120).optional(),
  customer_id: vine.number().withoutDecimals().range([1, MAX_INT]).optional(),
  customer_email: vine.string().trim().toLowerCase().email().maxLength(254).optional(),
  type: vine.string().trim().toLowerCase().regex(LICENSE_TYPE_PATTERN).optional(),
  expiry_basis: vine.enum(['creation', 'first_activation'] as const).optional(),
  status: vine.enum(['active', 'suspended', 'revoked'] as const).optional(),
  max_devices: vine.number().withoutDecimals().range([1, 10]).optional(),
  max_sessions: vine.number().withoutDecimals().range([1, 10]).optional(),
  session_policy: vine
    .string()
    .trim()
    .maxLength(60)
    .regex(/^[a-z][a-z0-9-]*$/)
    .optional(),
  template_overrides: vine.string().trim().maxLength(200).optional(),
  entitlements_granted: vine.string().trim().maxLength(20_000).optional(),
  entitlements_withdrawn: vine.string().trim().maxLength(20_000).optional(),
  meter_limits: vine.string().trim().maxLength(20_000).optional(),
  activated_at: vine.string().trim().use(isoInstant()).optional(),
  expires_at: vine.string().trim().use(isoInstant()).optional(),
  notes: vine.string().trim().maxLength(2000).optional(),
})

/** The confirmation of a previewed import: the token its preview was stored under. */
export const importConfirmValidator = vine.create({
  token: vine.string().trim().uuid(),
})

/** A pasted import (the file comes through `request.file`). */
export const importPasteValidator = vine.create({
  csv: vine.string().maxLength(5_000_000).optional(),
})

/** The export's filter: the licenses of one product (`?product_id=`). */
export const importExportFilterValidator = vine.create({
  product_id: vine.number().withoutDecimals().range([1, MAX_INT]).optional(),
})
