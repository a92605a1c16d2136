import vine from '@vinejs/vine'

/** A license key as the client API takes it (the core's rule). */
const licenseKeyRule = () =>
  vine
    .string()
    .trim()
    .minLength(4)
    .maxLength(64)
    .regex(/^[A-Za-z0-9_-]+$/)
    .toUpperCase()

const typeRule = () =>
  vine
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,29}$/)

const poolRule = () => vine.string().trim().minLength(1).maxLength(60)

/** `GET /api/license/resources/:license_key`. */
export const licenseKeyParamValidator = vine.create({ license_key: licenseKeyRule() })

/** `POST /api/license/resources/report`. */
export const reportValidator = vine.create({
  license_key: licenseKeyRule(),
  type: typeRule(),
  value: vine.string().trim().minLength(1).maxLength(255),
  reason: vine.string().trim().maxLength(500).optional(),
})

/** The bulk-add form: pasted values of one type, or a CSV file (type,value,pool,notes). */
export const addFormValidator = vine.create({
  type: typeRule().optional(),
  values: vine.string().maxLength(2_000_000).optional(),
  pool: poolRule().optional(),
  notes: vine.string().trim().maxLength(2000).optional(),
})

/** One row of an uploaded CSV, before its value is normalized by its type. */
export const csvRowValidator = vine.create({
  type: typeRule(),
  value: vine.string().trim().minLength(1).maxLength(255),
  pool: poolRule().optional(),
  notes: vine.string().trim().maxLength(2000).optional(),
})

export const idsValidator = vine.create({
  ids: vine.array(vine.number().withoutDecimals().min(1)).minLength(1).maxLength(10_000),
  reason: vine.string().trim().maxLength(500).optional(),
})

const count = () => vine.number().withoutDecimals().min(0).max(1000)

export const allocateValidator = vine.create({
  counts: vine.record(count().optional()).optional(),
  pool: poolRule().optional(),
})

export const swapValidator = vine.create({
  resource_id: vine.number().withoutDecimals().min(1),
  retire: vine.boolean().optional(),
  reason: vine.string().trim().maxLength(500).optional(),
})

export const releaseValidator = vine.create({
  resource_id: vine.number().withoutDecimals().min(1).optional(),
  reason: vine.string().trim().maxLength(500).optional(),
})

/** Counts per type; a blank field follows the template. */
export const needsValidator = vine.create({
  counts: vine.record(count().optional()),
})
