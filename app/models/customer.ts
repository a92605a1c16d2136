import { CustomerSchema } from '#database/schema'
import { hasMany } from '@adonisjs/lucid/orm'
import type { HasMany } from '@adonisjs/lucid/types/relations'
import License from '#models/license'

export default class Customer extends CustomerSchema {
  @hasMany(() => License)
  declare licenses: HasMany<typeof License>
}
