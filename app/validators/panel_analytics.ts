import vine from '@vinejs/vine'
import { RANGE_CHOICES } from '#services/analytics/analytics_range'

/** A row id of an `integer` column (products) or a `bigint` one JS numbers hold exactly (licenses). */
const productId = vine.number().withoutDecimals().min(1).max(2_147_483_647)
const licenseId = vine.number().withoutDecimals().min(1).max(999_999_999_999_999)
const day = vine.date({ formats: ['YYYY-MM-DD'] })

/**
 * The usage pages' filters and their CSV exports (query string). Every
 * field is optional: an empty form is the default range over all products.
 */
export const analyticsFilterValidator = vine.create({
  range: vine.enum(RANGE_CHOICES).optional(),
  from: day.clone().optional(),
  to: day.clone().optional(),
  product_id: productId.optional(),
  license_id: licenseId.optional(),
})
