import { MeterSchema } from '#database/schema'
import { belongsTo } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import Product from '#models/product'

export type MeterPeriod = 'none' | 'hour' | 'day' | 'month' | 'year' | 'rolling'
export type OveragePolicy = 'deny' | 'allow' | 'tolerance'

/** A usage limit of a product's catalogue (`exports` per month), counted per license. */
export default class Meter extends MeterSchema {
  declare period: MeterPeriod
  declare overage: OveragePolicy

  @belongsTo(() => Product)
  declare product: BelongsTo<typeof Product>
}
