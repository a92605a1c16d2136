import type { I18n } from '@adonisjs/i18n'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { VineValidator } from '@vinejs/vine'
import type { Actor } from '#support/actor'
import type { CsvColumn } from '#support/csv_export'
import {
  byLine,
  inImportTransaction,
  readCsvRows,
  type ImportOutcome,
  type ImportProblem,
  type ImportResult,
  type ValidRow,
} from '#services/imports/csv_records'

/**
 * What the customer and license transfers share: the export writes the
 * columns the import reads, and an import checks every row (`plan`) before
 * it writes anything (`apply`, in one transaction, or rolled back for a dry
 * run).
 */
export abstract class CsvTransfer<Row, Plan> {
  /** The export's columns, in order; the import reads the same. */
  protected abstract readonly columns: readonly string[]
  /** The columns an import's header must have. */
  protected abstract readonly requiredColumns: readonly string[]
  protected abstract readonly rowValidator: VineValidator<any, any>

  /** Checks the rows against the database, adding to `problems`; what `apply` writes. */
  protected abstract plan(
    rows: ValidRow<Row>[],
    problems: ImportProblem[],
    i18n: I18n
  ): Promise<Plan>

  protected abstract apply(
    trx: TransactionClientContract,
    plan: Plan,
    actor: Actor,
    i18n: I18n
  ): Promise<Omit<ImportOutcome, 'dryRun'>>

  exportColumns(): CsvColumn<Record<string, unknown>>[] {
    return this.columns.map((column) => ({ header: column, value: (row) => row[column] }))
  }

  async importCsv(
    text: string,
    actor: Actor,
    i18n: I18n,
    options: { dryRun?: boolean } = {}
  ): Promise<ImportResult> {
    const { problems, rows } = await readCsvRows<Row>(text, {
      columns: this.columns,
      required: this.requiredColumns,
      validator: this.rowValidator,
      i18n,
    })
    const plan = await this.plan(rows, problems, i18n)
    if (problems.length > 0) return { problems: byLine(problems) }
    return inImportTransaction(options.dryRun ?? false, (trx) => this.apply(trx, plan, actor, i18n))
  }
}
