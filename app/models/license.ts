import { DateTime } from 'luxon'
import { LicenseSchema } from '#database/schema'
import { belongsTo, hasMany, scope } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Product from '#models/product'
import Customer from '#models/customer'
import Device from '#models/device'
import LicenseTemplate from '#models/license_template'
import { isLicenseExpired, whereLicenseExpired, whereLicenseUsable } from '#rules/license_usable'

export type StoredLicenseStatus = 'active' | 'suspended' | 'revoked'
export type LicenseStatus = StoredLicenseStatus | 'expired'
export type ExpiryBasis = 'creation' | 'first_activation'

export default class License extends LicenseSchema {
  declare status: StoredLicenseStatus
  declare expiryBasis: ExpiryBasis

  @belongsTo(() => Product)
  declare product: BelongsTo<typeof Product>

  @belongsTo(() => Customer)
  declare customer: BelongsTo<typeof Customer>

  @belongsTo(() => LicenseTemplate, { foreignKey: 'templateId' })
  declare template: BelongsTo<typeof LicenseTemplate>

  @hasMany(() => Device)
  declare devices: HasMany<typeof Device>

  /** Licenses a client may use at `now` (see #rules/license_usable). */
  static usable = scope((query, now: Date) => {
    whereLicenseUsable(query, query.model.table, now)
  })

  /** Active licenses past their expiry at `now`: they show as `expired`. */
  static expired = scope((query, now: Date) => {
    whereLicenseExpired(query, query.model.table, now)
  })

  /**
   * `expired` is never stored: it follows from `expires_at` and the clock.
   * A revocation or suspension says more than an expiry, so it wins.
   */
  statusAt(now: DateTime): LicenseStatus {
    if (this.status !== 'active') return this.status
    return isLicenseExpired(this, now) ? 'expired' : 'active'
  }

  get used() {
    return this.activatedAt !== null
  }
}
