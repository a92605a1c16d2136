import LicenseTransfer, { LICENSE_CSV_COLUMNS } from '#services/imports/license_transfer'
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

  protected transfer = LicenseTransfer
}
