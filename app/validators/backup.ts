import vine from '@vinejs/vine'

/**
 * A restore from the panel: the archive's name typed again, and the
 * owner's password (`restoreWithPasswordValidator`) or, with two-factor,
 * their current code (`restoreWithCodeValidator`). The archive's own name
 * is checked by the route (its shape) and the backups service (that it
 * exists in BACKUP_DIR).
 */
const confirmation = () => vine.string().trim().maxLength(200)

export const restoreWithPasswordValidator = vine.create({
  confirmation: confirmation(),
  password: vine.string().maxLength(512),
})

export const restoreWithCodeValidator = vine.create({
  confirmation: confirmation(),
  code: vine.string().trim().minLength(6).maxLength(12),
})
