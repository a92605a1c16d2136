import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import vine, { errors } from '@vinejs/vine'
import ResourceInventory, { STATUSES } from '../services/inventory.js'

const validator = vine.create({
  type: vine
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,29}$/)
    .optional(),
  status: vine.enum(STATUSES).optional(),
  pool: vine.string().trim().minLength(1).maxLength(60).optional(),
  search: vine.string().trim().maxLength(200).optional(),
  limit: vine.number().withoutDecimals().min(1).max(100_000),
})

export default class ResourceList extends BaseCommand {
  static commandName = 'resource:list'
  static description = 'List resources (filter by type, status, pool; search values)'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Only this type' })
  declare type?: string

  @flags.string({ description: 'Only this status: available, allocated, quarantined, retired' })
  declare status?: string

  @flags.string({ description: 'Only this pool' })
  declare pool?: string

  @flags.string({ description: 'Values, pools, notes or license keys containing this' })
  declare search?: string

  @flags.number({ description: 'At most this many rows (default 100)' })
  declare limit?: number

  @flags.boolean({ description: 'Print JSON' })
  declare json?: boolean

  async run() {
    let input
    try {
      input = await validator.validate({
        type: this.type,
        status: this.status,
        pool: this.pool,
        search: this.search,
        limit: this.limit ?? 100,
      })
    } catch (error) {
      if (!(error instanceof errors.E_VALIDATION_ERROR)) throw error
      for (const { message } of error.messages as { message: string }[]) this.logger.error(message)
      this.exitCode = 1
      return
    }
    const inventory = await this.app.container.make(ResourceInventory)
    const rows = await inventory
      .listQuery({ q: input.search, type: input.type, status: input.status, pool: input.pool })
      .orderBy([{ column: 'r.type' }, { column: 'r.value' }])
      .limit(input.limit)
    const list = rows.map((row) => ({
      type: row.type,
      value: row.value,
      pool: row.pool,
      status: row.status,
      license: row.license_key,
      flagged: row.flagged_at !== null,
    }))
    if (this.json) {
      this.logger.log(JSON.stringify(list, null, 2))
      return list
    }
    if (list.length === 0) {
      this.logger.info('No resources match')
      return list
    }
    const table = this.ui.table()
    table.head(['Type', 'Value', 'Pool', 'Status', 'License', 'Flagged'])
    for (const row of list) {
      table.row([
        row.type,
        row.value,
        row.pool ?? '',
        row.status,
        row.license ?? '',
        row.flagged ? 'yes' : '',
      ])
    }
    table.render()
    return list
  }
}
