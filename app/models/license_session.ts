import { LicenseSessionSchema } from '#database/schema'
import { belongsTo, scope } from '@adonisjs/lucid/orm'
import type { BelongsTo } from '@adonisjs/lucid/types/relations'
import License from '#models/license'
import Device from '#models/device'
import { whereSessionLive } from '#rules/session_live'

/**
 * A session not yet ended (`license_sessions`). The session engine writes
 * these rows with its own statements; the model is for reading them.
 */
export default class LicenseSession extends LicenseSessionSchema {
  static table = 'license_sessions'

  @belongsTo(() => License)
  declare license: BelongsTo<typeof License>

  @belongsTo(() => Device)
  declare device: BelongsTo<typeof Device>

  /** Sessions live at `now` (see #rules/session_live). */
  static live = scope((query, now: Date) => {
    whereSessionLive(query, query.model.table, now)
  })
}
