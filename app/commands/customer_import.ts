import { args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import type { I18n } from '@adonisjs/i18n'
import CustomerTransfer, { CUSTOMER_CSV_COLUMNS } from '#services/imports/customer_transfer'
import type { Actor } from '#support/actor'
import { CsvImportCommand } from '#support/csv_import_command'

export default class CustomerImport extends CsvImportCommand {
  static commandName = 'customer:import'
  static description =
    'Import customers from CSV, all or nothing (the panel: Customers → Import / export)'
  static help = [
    `Columns: ${CUSTOMER_CSV_COLUMNS.join(', ')} (the panel's export has them all; only name is required).`,
    'A row with customer_id updates that customer; one without, whose email a customer has, updates',
    'that customer; others create one. Every row is checked first: one problem imports nothing.',
    '  customer:import customers.csv --dry-run   check, and say what would change',
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The CSV file' })
  declare file: string

  @flags.boolean({ description: 'Check the file and say what would change, without writing' })
  declare dryRun?: boolean

  protected async runImport(text: string, actor: Actor, i18n: I18n, options: { dryRun: boolean }) {
    const transfer = await this.app.container.make(CustomerTransfer)
    return transfer.importCsv(text, actor, i18n, options)
  }
}
