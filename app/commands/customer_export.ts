import CustomerTransfer from '#services/imports/customer_transfer'
import { CsvExportCommand } from '#support/csv_export_command'

export default class CustomerExport extends CsvExportCommand {
  static commandName = 'customer:export'
  static description = 'Export every customer as CSV, in the columns customer:import reads back'
  static help = [
    'customer:export --out customers.csv   a new file, readable by its owner only',
    'customer:export > customers.csv       to stdout',
  ]

  protected async source() {
    const transfer = await this.app.container.make(CustomerTransfer)
    return { columns: transfer.exportColumns(), query: transfer.exportQuery() }
  }
}
