import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import ResourceInventory from '../services/inventory.js'

/** Free, allocated, quarantined and retired per type and pool, with low-stock warnings. */
export default class ResourceStats extends BaseCommand {
  static commandName = 'resource:stats'
  static description = 'Resource usage per type and pool, and types running low'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Print JSON' })
  declare json?: boolean

  async run() {
    const inventory = await this.app.container.make(ResourceInventory)
    const [usage, totals] = await Promise.all([inventory.usage(), inventory.totals()])
    if (this.json) {
      this.logger.log(JSON.stringify({ totals, pools: usage }, null, 2))
      return { totals, pools: usage }
    }
    const table = this.ui.table()
    table.head(['Type', 'Pool', 'Free', 'Allocated', 'Quarantined', 'Retired', 'Flagged'])
    for (const row of usage) {
      table.row([
        row.type,
        row.pool ?? '(none)',
        String(row.available),
        String(row.allocated),
        String(row.quarantined),
        String(row.retired),
        String(row.flagged),
      ])
    }
    for (const row of totals) {
      table.row([
        row.type,
        'all',
        String(row.available),
        String(row.allocated),
        String(row.quarantined),
        String(row.retired),
        String(row.flagged),
      ])
    }
    table.render()
    for (const row of totals.filter((total) => total.low)) {
      this.logger.warning(
        `${row.type}: only ${row.available} free (warning below ${row.lowWatermark})`
      )
    }
    return { totals, pools: usage }
  }
}
