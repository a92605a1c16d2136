import { DeviceSchema } from '#database/schema'
import { belongsTo } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import License from '#models/license'

export default class Device extends DeviceSchema {
  @belongsTo(() => License)
  declare license: BelongsTo<typeof License>
}
