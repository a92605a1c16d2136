import { DeviceTransferSchema } from '#database/schema'
import { belongsTo } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import License from '#models/license'

export type DeviceTransferKind = 'transfer' | 'deactivation'

/** A device binding moved to another fingerprint, or released by the client itself. */
export default class DeviceTransfer extends DeviceTransferSchema {
  declare kind: DeviceTransferKind

  @belongsTo(() => License)
  declare license: BelongsTo<typeof License>
}
