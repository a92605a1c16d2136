import { LicenseTemplateSchema } from '#database/schema'
import { belongsTo, manyToMany } from '@adonisjs/lucid/orm'
import type { BelongsTo, ManyToMany } from '@adonisjs/lucid/types/relations'
import Product from '#models/product'
import Entitlement from '#models/entitlement'
import Meter from '#models/meter'
import type { ExpiryBasis } from '#models/license'

/**
 * A named set of license defaults of one product. Its licenses follow it
 * live (entitlements, meter limits, and the device, session and policy
 * settings they do not override); type and expiry basis apply at issue.
 */
export default class LicenseTemplate extends LicenseTemplateSchema {
  declare expiryBasis: ExpiryBasis

  @belongsTo(() => Product)
  declare product: BelongsTo<typeof Product>

  @manyToMany(() => Entitlement, {
    pivotTable: 'license_template_entitlements',
    pivotForeignKey: 'template_id',
    pivotRelatedForeignKey: 'entitlement_id',
  })
  declare entitlements: ManyToMany<typeof Entitlement>

  /** The meters whose limit the template sets (`pivot_limit`, null = unlimited). */
  @manyToMany(() => Meter, {
    pivotTable: 'license_template_meters',
    pivotForeignKey: 'template_id',
    pivotRelatedForeignKey: 'meter_id',
    pivotColumns: ['limit'],
  })
  declare meters: ManyToMany<typeof Meter>
}
