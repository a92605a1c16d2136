import vine from '@vinejs/vine'

/** Offline grace in days as the panel takes it: empty = server default, 0 = off, up to a year. */
const offlineGraceDays = vine.number().min(0).max(365).decimal([0, 2]).optional()

export const productCreateValidator = vine.create({
  name: vine.string().trim().minLength(1).maxLength(120),
  slug: vine
    .string()
    .trim()
    .toLowerCase()
    .maxLength(60)
    .regex(/^[a-z0-9][a-z0-9-]*$/),
  description: vine.string().trim().maxLength(2000).optional(),
  offline_grace_days: offlineGraceDays,
})

export const productUpdateValidator = vine.create({
  name: vine.string().trim().minLength(1).maxLength(120),
  description: vine.string().trim().maxLength(2000).optional(),
  offline_grace_days: offlineGraceDays,
})

export const graceSecondsOf = (days: number | undefined) =>
  days === undefined ? null : Math.round(days * 86400)
