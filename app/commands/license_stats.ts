import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { Duration } from 'luxon'
import Product from '#models/product'
import LicenseCounter, {
  LICENSE_COUNTERS as COUNTERS,
  type LicenseCounts as Counts,
} from '#services/license_counter'
import { parseLicenseType } from '#support/license_duration'

const emptyCounts = (): Counts => Object.fromEntries(COUNTERS.map((name) => [name, 0])) as Counts

/**
 * Shortest first, perpetual last, so 1d, 5d, 1m, 6m, 12m read in order.
 */
function typeLength(type: string) {
  const duration = parseLicenseType(type)
  return duration ? Duration.fromObject(duration).as('hours') : Number.POSITIVE_INFINITY
}

export default class LicenseStats extends BaseCommand {
  static commandName = 'license:stats'
  static description = 'Count licenses by type and status (active, expired, suspended, revoked)'
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Only the licenses of this product (slug)' })
  declare product?: string

  @flags.boolean({ description: 'Print JSON instead of a table' })
  declare json?: boolean

  async run() {
    const slug = this.product?.trim()
    let productId: number | null = null
    if (slug !== undefined) {
      const product = await Product.findBy('slug', slug)
      if (!product) {
        this.logger.error(`No product has the slug "${slug}"`)
        this.exitCode = 1
        return
      }
      productId = product.id
    }

    const counter = await this.app.container.make(LicenseCounter)
    const { at: now, rows } = await counter.byType(productId)

    const totals = emptyCounts()
    const byType: Record<string, Counts> = {}
    rows.sort((left, right) => typeLength(left.type) - typeLength(right.type))
    for (const { type, counts } of rows) {
      for (const name of COUNTERS) totals[name] += counts[name]
      byType[type] = counts
    }

    if (this.json) {
      this.logger.log(JSON.stringify({ product: slug ?? null, at: now.toISO(), totals, byType }))
      return
    }
    if (rows.length === 0) {
      this.logger.info(slug ? `Product "${slug}" has no licenses` : 'There are no licenses yet')
      return
    }
    const table = this.ui.table()
    table.head(['Type', ...COUNTERS.map((name) => name[0].toUpperCase() + name.slice(1))])
    for (const [type, counts] of Object.entries(byType)) {
      table.row([type, ...COUNTERS.map((name) => this.cell(counts[name]))])
    }
    table.row(['All', ...COUNTERS.map((name) => this.cell(totals[name]))])
    table.render()
  }

  protected cell(value: number) {
    return { content: value.toLocaleString('en-US'), hAlign: 'right' as const }
  }
}
