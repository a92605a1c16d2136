import { flags } from '@adonisjs/core/ace'
import Product from '#models/product'
import LicenseTransfer from '#services/imports/license_transfer'
import { CsvExportCommand } from '#support/csv_export_command'

export default class LicenseExport extends CsvExportCommand {
  static commandName = 'license:export'
  static description = 'Export licenses as CSV, in the columns license:import reads back'
  static help = [
    'license:export --out licenses.csv                   every license, to a new file (owner only)',
    'license:export --product my-app --out my-app.csv    one product',
    'Moving to another server: customer:export and license:export here, then customer:import',
    'and license:import there (after the products and their catalogues exist there).',
  ]

  @flags.string({ description: 'Only the licenses of this product (its slug)' })
  declare product?: string

  protected async source(options: { product?: string }) {
    let productId: number | undefined
    if (options.product) {
      const product = await Product.findBy('slug', options.product)
      if (!product) {
        this.logger.error(`No product has the slug "${options.product}"`)
        return null
      }
      productId = product.id
    }
    const transfer = await this.app.container.make(LicenseTransfer)
    return { columns: transfer.exportColumns(), query: transfer.exportQuery({ productId }) }
  }
}
