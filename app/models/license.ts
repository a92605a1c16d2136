import { DateTime } from 'luxon'
import { LicenseSchema } from '#database/schema'
import { belongsTo, hasMany, scope } from '@adonisjs/lucid/orm'
import type { BelongsTo, HasMany } from '@adonisjs/lucid/types/relations'
import Product from '#models/product'
import Customer from '#models/customer'
import Device from '#models/device'
import LicenseTemplate from '#models/license_template'
import {
  graceEnd,
  licenseStatusAt,
  whereLicenseExpired,
  whereLicenseUsable,
} from '#rules/license_usable'

export type StoredLicenseStatus = 'active' | 'suspended' | 'revoked'
export type LicenseStatus = StoredLicenseStatus | 'grace' | 'expired'
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

  /** Active licenses past their expiry and its grace at `now`: they show as `expired`. */
  static expired = scope((query, now: Date) => {
    whereLicenseExpired(query, query.model.table, now)
  })

  /**
   * The product's expiry grace in days, which #rules/license_usable needs
   * for a license past its expiry: the product must be loaded.
   */
  get expiryGraceDays(): number {
    if (!this.product) throw new Error(`License ${this.id}: load its product to judge its expiry`)
    return this.product.expiryGraceDays
  }

  /**
   * `grace` and `expired` are never stored: they follow from `expires_at`,
   * the product's grace and the clock. A revocation or suspension says more
   * than an expiry, so it wins.
   */
  statusAt(now: DateTime): LicenseStatus {
    return licenseStatusAt(this, now)
  }

  /** When the expiry grace ends: null without expiry or when the product grants none. */
  get graceEndsAt(): DateTime | null {
    const ends = graceEnd(this)
    return ends === null ? null : DateTime.fromMillis(ends, { zone: 'utc' })
  }

  get used() {
    return this.activatedAt !== null
  }
}
