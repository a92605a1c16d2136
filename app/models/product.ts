import { ProductSchema } from '#database/schema'
import { hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import License from '#models/license'
import Entitlement from '#models/entitlement'
import Meter from '#models/meter'
import LicenseTemplate from '#models/license_template'

export default class Product extends ProductSchema {
  @hasMany(() => License)
  declare licenses: HasMany<typeof License>

  @hasMany(() => Entitlement)
  declare entitlements: HasMany<typeof Entitlement>

  @hasMany(() => Meter)
  declare meters: HasMany<typeof Meter>

  @hasMany(() => LicenseTemplate)
  declare templates: HasMany<typeof LicenseTemplate>
}
