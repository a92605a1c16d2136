import { EntitlementSchema } from '#database/schema'
import { belongsTo } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Product from '#models/product'

/** A feature flag of a product's catalogue (`export_pdf`), granted to licenses. */
export default class Entitlement extends EntitlementSchema {
  @belongsTo(() => Product)
  declare product: BelongsTo<typeof Product>
}
