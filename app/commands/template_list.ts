import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import db from '@adonisjs/lucid/services/db'
import LicenseTemplate from '#models/license_template'
import { productForCommand, refusalLines } from '#support/command_input'

export default class TemplateList extends BaseCommand {
  static commandName = 'template:list'
  static description =
    'List the license templates of a product (of every product without --product)'
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
    const query = LicenseTemplate.query()
      .select('license_templates.*')
      .select(
        db.raw(
          '(SELECT count(*) FROM licenses l WHERE l.template_id = license_templates.id)::int AS licenses_count'
        )
      )
      .preload('product')
      .preload('entitlements', (entitlements) => entitlements.orderBy('code'))
      .preload('meters', (meters) => meters.orderBy('code'))
      .orderBy('product_id')
      .orderByRaw('lower(name)')
    if (productId !== null) query.where('product_id', productId)
    const templates = await query
    const rows = templates.map((template) => ({
      product: template.product.slug,
      name: template.name,
      type: template.type,
      expiry_basis: template.expiryBasis,
      max_devices: template.maxDevices,
      max_sessions: template.maxSessions,
      session_policy: template.sessionPolicy,
      entitlements: template.entitlements.map((entitlement) => entitlement.code),
      meters: Object.fromEntries(
        template.meters.map((meter) => [meter.code, meter.$extras.pivot_limit ?? null])
      ),
      licenses: template.$extras.licenses_count as number,
    }))

    if (this.json) {
      this.logger.log(JSON.stringify(rows))
      return
    }
    if (rows.length === 0) {
      this.logger.info('There are no license templates (template:create adds one)')
      return
    }
    const table = this.ui.table()
    table.head([
      'Product',
      'Name',
      'Type',
      'Devices',
      'Sessions',
      'Policy',
      'Entitlements',
      'Meters',
      'Licenses',
    ])
    for (const row of rows) {
      table.row([
        row.product,
        row.name,
        row.type,
        String(row.max_devices),
        String(row.max_sessions),
        row.session_policy ?? 'default',
        row.entitlements.join(', ') || '-',
        Object.entries(row.meters)
          .map(([code, limit]) => `${code}=${limit ?? 'unlimited'}`)
          .join(', ') || 'defaults',
        String(row.licenses),
      ])
    }
    table.render()
  }
}
