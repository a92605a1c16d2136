import { AdminUserSchema } from '#database/schema'
import hash from '@adonisjs/core/services/hash'
import { compose } from '@adonisjs/core/helpers'
import { withAuthFinder } from '@adonisjs/auth/mixins/lucid'

export const ADMIN_ROLES = ['admin', 'owner'] as const
export type AdminRole = (typeof ADMIN_ROLES)[number]

export const PANEL_LOCALES = ['en', 'de'] as const
export type PanelLocale = (typeof PANEL_LOCALES)[number]

/**
 * A person who runs the panel. `owner`s may also force-end sessions, revoke
 * API keys and manage admins; `admin`s run everything else.
 *
 * `verifyCredentials` (from `withAuthFinder`) compares password hashes in
 * constant time and hashes a dummy value for unknown emails, so the answer
 * time does not reveal which emails exist.
 *
 * The hasher is handed over as a function: `hash` is only bound once the
 * app has booted, and an ace command imports this model before that.
 */
export default class AdminUser extends compose(
  AdminUserSchema,
  withAuthFinder(() => hash.use(), { uids: ['email'], passwordColumnName: 'password' })
) {
  declare role: AdminRole
  declare locale: PanelLocale

  get isOwner() {
    return this.role === 'owner'
  }

  get twoFactorEnabled() {
    return this.totpEnabledAt !== null
  }

  get displayName() {
    return this.fullName || this.email
  }
}
