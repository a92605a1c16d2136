import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import Entitlement from '#models/entitlement'
import { productForCommand, refusalLines } from '#support/command_input'

export default class EntitlementList extends BaseCommand {
  static commandName = 'entitlement:list'
  static description = 'List the entitlements of a product (of every product without --product)'
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
    const query = Entitlement.query().preload('product').orderBy('product_id').orderBy('code')
    if (productId !== null) query.where('product_id', productId)
    const entitlements = await query

    if (this.json) {
      const rows = entitlements.map((entitlement) => ({
        product: entitlement.product.slug,
        code: entitlement.code,
        name: entitlement.name,
        description: entitlement.description,
      }))
      this.logger.log(JSON.stringify(rows))
      return
    }
    if (entitlements.length === 0) {
      this.logger.info('There are no entitlements (entitlement:create adds one)')
      return
    }
    const table = this.ui.table()
    table.head(['Product', 'Code', 'Name', 'Description'])
    for (const entitlement of entitlements) {
      table.row([
        entitlement.product.slug,
        entitlement.code,
        entitlement.name,
        entitlement.description ?? '',
      ])
    }
    table.render()
  }
}
