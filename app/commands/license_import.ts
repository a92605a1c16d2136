import { args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import type { I18n } from '@adonisjs/i18n'
import LicenseTransfer, { LICENSE_CSV_COLUMNS } from '#services/imports/license_transfer'
import type { Actor } from '#support/actor'
import { CsvImportCommand } from '#support/csv_import_command'

export default class LicenseImport extends CsvImportCommand {
  static commandName = 'license:import'
  static description = 'Import licenses (legacy keys too) from CSV, all or nothing'
  static help = [
    `Columns: ${LICENSE_CSV_COLUMNS.join(', ')}`,
    "(the panel's export under Licenses → Import / export has them all; key and product are required).",
    'An existing key updates its license, any other creates one. Import the customers first',
    '(customer:import): licenses name them by customer_email or customer_id.',
    'Every row is checked first: one problem imports nothing.',
    '  license:import licenses.csv --dry-run   check, and say what would change',
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The CSV file' })
  declare file: string

  @flags.boolean({ description: 'Check the file and say what would change, without writing' })
  declare dryRun?: boolean

  protected async runImport(text: string, actor: Actor, i18n: I18n, options: { dryRun: boolean }) {
    const transfer = await this.app.container.make(LicenseTransfer)
    return transfer.importCsv(text, actor, i18n, options)
  }
}
