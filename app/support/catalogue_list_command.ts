import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { productForCommand, refusalLines } from '#support/command_input'

/**
 * What `entitlement:list`, `meter:list` and `template:list` share: the rows
 * of one product's catalogue (of every product without --product), as JSON
 * for a script or as a table.
 */
export abstract class CatalogueListCommand<Row> extends BaseCommand {
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Product slug' })
  declare product?: string

  @flags.boolean({ description: 'Print JSON instead of a table' })
  declare json?: boolean

  /** The rows --json prints, of the product (of every product when null). */
  protected abstract rows(productId: number | null): Promise<Row[]>

  /** Said instead of an empty table. */
  protected abstract readonly none: string

  protected abstract readonly head: string[]

  protected abstract cells(row: Row): string[]

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
    const rows = await this.rows(productId)

    if (this.json) {
      this.logger.log(JSON.stringify(rows))
      return
    }
    if (rows.length === 0) {
      this.logger.info(this.none)
      return
    }
    const table = this.ui.table()
    table.head(this.head)
    for (const row of rows) table.row(this.cells(row))
    table.render()
  }
}
