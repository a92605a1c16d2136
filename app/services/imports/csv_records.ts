import { parse } from 'csv-parse/sync'
import { errors } from '@vinejs/vine'
import type { I18n } from '@adonisjs/i18n'
import type { VineValidator } from '@vinejs/vine'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { csvUnsafe } from '#support/csv_export'

/**
 * The most rows one import takes (a whole license base moved from another
 * system fits; it keeps one file's check and write within a request's
 * time); a larger file is split by whoever makes it.
 */
export const MAX_IMPORT_ROWS = 50_000

/** Separates the items of a list cell (codes, limits): `export_pdf; reports`. */
export const LIST_SEPARATOR = ';'

export interface ImportProblem {
  /**
   * The record's row as a spreadsheet numbers it (the header is 1; a cell
   * over several lines is still one row).
   */
  row: number
  /** The column the problem is in; empty for the file or the whole row. */
  field: string
  message: string
}

/** A row that passed its validator, with the line it came from. */
export type ValidRow<T> = T & { line: number }

/**
 * Reads CSV text into validated rows: the header names the columns (any
 * order, any case, all of them `columns`, `required` among them), blank
 * cells are absent, and a cell `csvSafe` protected (`'=…`) reads back
 * without its apostrophe, so an export imports unchanged. Every row is
 * validated, and every problem of every row is reported; a problem with
 * the file itself (not CSV, unknown columns, too many rows) is the only
 * one reported.
 */
export async function readCsvRows<Output>(
  text: string,
  options: {
    columns: readonly string[]
    required: readonly string[]
    validator: VineValidator<any, any>
    i18n: I18n
  }
): Promise<{ problems: ImportProblem[]; rows: ValidRow<Output>[] }> {
  const { i18n } = options
  const fileProblem = (message: string, field = '', row = 1) => ({
    problems: [{ row, field, message }],
    rows: [],
  })
  let records: Record<string, string>[]
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
      bom: true,
      skip_empty_lines: true,
    })
  } catch (error) {
    const line = (error as { lines?: number }).lines ?? 1
    return fileProblem(
      i18n.t('imports.problems.not_csv', { detail: (error as Error).message }),
      '',
      line
    )
  }
  if (records.length === 0) return fileProblem(i18n.t('imports.problems.empty'))
  const headers = Object.keys(records[0])
  const unknown = headers.filter((header) => !options.columns.includes(header))
  const missing = options.required.filter((column) => !headers.includes(column))
  if (unknown.length > 0 || missing.length > 0) {
    return fileProblem(
      i18n.t('imports.problems.columns', { columns: options.columns.join(', ') }),
      [...missing, ...unknown].join(', ')
    )
  }
  if (records.length > MAX_IMPORT_ROWS) {
    return fileProblem(
      i18n.t('imports.problems.too_many_rows', { max: MAX_IMPORT_ROWS }),
      '',
      MAX_IMPORT_ROWS + 2
    )
  }

  const messagesProvider = i18n.createMessagesProvider()
  const problems: ImportProblem[] = []
  const rows: ValidRow<Output>[] = []
  for (const [index, record] of records.entries()) {
    const line = index + 2
    const input = Object.fromEntries(
      Object.entries(record).map(([column, value]) => {
        const cell = csvUnsafe(value ?? '').trim()
        return [column, cell === '' ? undefined : cell]
      })
    )
    try {
      rows.push({ ...(await options.validator.validate(input, { messagesProvider })), line })
    } catch (error) {
      if (!(error instanceof errors.E_VALIDATION_ERROR)) throw error
      for (const message of error.messages as { field: string; message: string }[]) {
        problems.push({ row: line, field: message.field, message: message.message })
      }
    }
  }
  return { problems, rows }
}

/** The items of a list cell, trimmed, without empty ones. */
export function listItems(cell: string | undefined) {
  return (cell ?? '')
    .split(LIST_SEPARATOR)
    .map((item) => item.trim())
    .filter(Boolean)
}

/** A list cell as the export writes it: sorted, `a; b`. */
export function listCell(items: Iterable<string>) {
  return [...items].sort().join(`${LIST_SEPARATOR} `)
}

/**
 * What an import did, or (dry run) would do. Counts per kind of change;
 * `unchanged` rows wrote nothing.
 */
export interface ImportOutcome {
  created: number
  updated: number
  unchanged: number
  dryRun: boolean
}

export type ImportResult =
  { problems: ImportProblem[]; outcome?: undefined } | { problems: []; outcome: ImportOutcome }

/**
 * Thrown inside an import's transaction to roll it back: a dry run that
 * did everything but commit, or a row the database refused.
 */
export class ImportRolledBack extends Error {
  constructor(readonly result: ImportResult) {
    super('import rolled back')
  }
}

/**
 * Runs an import's writes in one transaction: all rows land or none. A dry
 * run does every write and then rolls back, so it reports exactly what the
 * import would do, the database's own checks included.
 */
export async function inImportTransaction(
  dryRun: boolean,
  apply: (trx: TransactionClientContract) => Promise<Omit<ImportOutcome, 'dryRun'>>
): Promise<ImportResult> {
  try {
    return await db.transaction(async (trx) => {
      const outcome = { ...(await apply(trx)), dryRun }
      if (dryRun) throw new ImportRolledBack({ problems: [], outcome })
      return { problems: [] as [], outcome }
    })
  } catch (error) {
    if (error instanceof ImportRolledBack) return error.result
    throw error
  }
}

/**
 * A row the database refused while it was written (a check the plan could
 * not see, or another admin's change a moment before): the whole import is
 * rolled back and the row reported. Other errors pass.
 */
export async function writingRow<T>(line: number, i18n: I18n, write: () => Promise<T>) {
  try {
    return await write()
  } catch (error) {
    const { code, constraint, detail } = error as {
      code?: unknown
      constraint?: string
      detail?: string
    }
    // PostgreSQL's integrity (23…) and data (22…) errors are the row's; others are not.
    if (typeof code !== 'string' || !/^2[23]/.test(code)) throw error
    throw new ImportRolledBack({
      problems: [
        {
          row: line,
          field: '',
          message: i18n.t('imports.problems.refused_by_database', {
            detail: constraint ?? detail ?? (error as Error).message,
          }),
        },
      ],
    })
  }
}

/** Rows per INSERT: few round trips, far below PostgreSQL's parameter limit. */
export const INSERT_CHUNK = 500

/**
 * Inserts new rows in chunks and returns their ids in the rows' order
 * (PostgreSQL returns a multi-row VALUES insert's rows in that order). A
 * chunk the database refuses (a key or email another admin just took) is
 * retried row by row inside the same transaction, so the report names the
 * row.
 */
export async function insertInChunks(
  trx: TransactionClientContract,
  table: string,
  rows: { line: number; values: Record<string, unknown> }[],
  i18n: I18n
) {
  const ids: number[] = []
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const chunk = rows.slice(start, start + INSERT_CHUNK)
    try {
      // A savepoint: a refused chunk leaves the transaction usable for the retry.
      const inserted = await trx.transaction((savepoint) =>
        savepoint
          .table(table)
          .multiInsert(chunk.map((row) => row.values))
          .returning(['id'])
      )
      ids.push(...inserted.map((row: { id: number }) => Number(row.id)))
    } catch {
      for (const row of chunk) {
        const [inserted] = await writingRow(row.line, i18n, () =>
          trx.table(table).insert(row.values).returning(['id'])
        )
        ids.push(Number(inserted.id))
      }
    }
  }
  return ids
}

/** Sorts problems by line (stable within a line) for the report. */
export function byLine(problems: ImportProblem[]) {
  return [...problems].sort((a, b) => a.row - b.row)
}
