import CustomerTransfer, { CUSTOMER_CSV_COLUMNS } from '#services/imports/customer_transfer'
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

  protected transfer = CustomerTransfer
}
