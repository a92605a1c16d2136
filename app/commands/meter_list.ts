import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import Meter from '#models/meter'
import { productForCommand, refusalLines } from '#support/command_input'

export default class MeterList extends BaseCommand {
  static commandName = 'meter:list'
  static description = 'List the meters of a product (of every product without --product)'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Product slug' })
  declare product?: string

  @flags.boolean({ description: 'Print JSON instead of a table' })
  declare json?: boolean

  async run() {
    let productId: number | null = null
    try {
      if (this.product) {
        const product = await productForCommand(this.product)
        productId = product.id
      }
    } catch (error) {
      const lines = refusalLines(error)
      if (!lines) throw error
      for (const line of lines) this.logger.error(line)
      this.exitCode = 1
      return
    }
    const query = Meter.query().preload('product').orderBy('product_id').orderBy('code')
    if (productId !== null) query.where('product_id', productId)
    const meters = await query

    if (this.json) {
      const rows = meters.map((meter) => ({
        product: meter.product.slug,
        code: meter.code,
        name: meter.name,
        period: meter.period,
        rolling_seconds: meter.rollingSeconds,
        time_zone: meter.timeZone,
        default_limit: meter.defaultLimit,
        overage: meter.overage,
        tolerance_percent: meter.tolerancePercent,
      }))
      this.logger.log(JSON.stringify(rows))
      return
    }
    if (meters.length === 0) {
      this.logger.info('There are no meters (meter:create adds one)')
      return
    }
    const table = this.ui.table()
    table.head(['Product', 'Code', 'Name', 'Period', 'Time zone', 'Default limit', 'Overage'])
    for (const meter of meters) {
      table.row([
        meter.product.slug,
        meter.code,
        meter.name,
        meter.period === 'rolling' ? `rolling ${meter.rollingSeconds}s` : meter.period,
        meter.timeZone,
        meter.defaultLimit === null ? 'unlimited' : String(meter.defaultLimit),
        meter.overage === 'tolerance' ? `tolerance ${meter.tolerancePercent}%` : meter.overage,
      ])
    }
    table.render()
  }
}
