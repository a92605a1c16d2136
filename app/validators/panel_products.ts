import vine from '@vinejs/vine'

/** A product's slug: lowercase letters, digits and dashes, not starting with a dash. */
export const PRODUCT_SLUG = /^[a-z0-9][a-z0-9-]*$/

/** A slug naming an existing product (a command's --product, an import's product column). */
export const productSlugRule = () => vine.string().trim().maxLength(60).regex(PRODUCT_SLUG)

/** Offline grace in days as the panel takes it: empty = server default, 0 = off, up to a year. */
const offlineGraceDays = vine.number().min(0).max(365).decimal([0, 2]).optional()

/**
 * The product's grace and transfer terms as the panel takes them, within
 * the columns' checks: the expiry grace in days, the reclaim grace in
 * seconds (empty: the session timeout), the transfer cooldown in hours and
 * the transfer quota per period (empty: unlimited).
 */
const terms = {
  expiry_grace_days: vine.number().withoutDecimals().min(0).max(365).optional(),
  reclaim_grace_seconds: vine.number().withoutDecimals().min(0).max(86400).optional(),
  transfer_cooldown_hours: vine.number().min(0).max(8760).decimal([0, 2]).optional(),
  transfer_quota: vine.number().withoutDecimals().min(0).max(1000).optional(),
  transfer_quota_period_days: vine.number().withoutDecimals().min(1).max(3650).optional(),
}

export const productCreateValidator = vine.create({
  name: vine.string().trim().minLength(1).maxLength(120),
  slug: vine.string().trim().toLowerCase().maxLength(60).regex(PRODUCT_SLUG),
  description: vine.string().trim().maxLength(2000).optional(),
  offline_grace_days: offlineGraceDays,
  ...terms,
})

export const productUpdateValidator = vine.create({
  name: vine.string().trim().minLength(1).maxLength(120),
  description: vine.string().trim().maxLength(2000).optional(),
  offline_grace_days: offlineGraceDays,
  ...terms,
})

export const graceSecondsOf = (days: number | undefined) =>
  days === undefined ? null : Math.round(days * 86400)

/** The terms of the form as ProductService takes them; what is left empty has its default. */
export function productTermsOf(input: {
  expiry_grace_days?: number
  reclaim_grace_seconds?: number
  transfer_cooldown_hours?: number
  transfer_quota?: number
  transfer_quota_period_days?: number
}) {
  return {
    expiryGraceDays: input.expiry_grace_days ?? 0,
    reclaimGraceSeconds: input.reclaim_grace_seconds ?? null,
    transferCooldownSeconds: Math.round((input.transfer_cooldown_hours ?? 0) * 3600),
    transferQuota: input.transfer_quota ?? null,
    transferQuotaPeriodDays: input.transfer_quota_period_days ?? 30,
  }
}
