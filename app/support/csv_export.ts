import { stringify } from 'csv-stringify'
import type { HttpResponse } from '@adonisjs/core/http'

export interface CsvColumn<Row> {
  header: string
  value: (row: Row) => unknown
}

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab,
 * carriage return first) gets a leading apostrophe: an exported customer
 * name must not become code on the admin's machine (CSV injection).
 */
export function csvSafe(value: unknown): string {
  if (value === null || value === undefined) return ''
  const text =
    value instanceof Date
      ? value.toISOString()
      : typeof value === 'object' && 'toISO' in value && typeof value.toISO === 'function'
        ? String(value.toISO())
        : typeof value === 'object'
          ? JSON.stringify(value)
          : String(value)
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text
}

/**
 * Reads back a cell `csvSafe` wrote: the apostrophe it put before a
 * formula-like start comes off, so an export imports unchanged.
 */
export function csvUnsafe(cell: string): string {
  return /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell
}

/**
 * Rows as a CSV stream (header first, every cell through `csvSafe`).
 * `pages` yields rows in chunks (keyset or offset pagination), so an
 * export of a million rows never sits in memory.
 */
export function csvStream<Row>(columns: CsvColumn<Row>[], pages: AsyncIterable<Row[]>) {
  const csv = stringify({ header: true, columns: columns.map((column) => column.header) })
  ;(async () => {
    try {
      for await (const rows of pages) {
        for (const row of rows) {
          const record = columns.map((column) => csvSafe(column.value(row)))
          if (!csv.write(record)) await new Promise((resolve) => csv.once('drain', resolve))
        }
      }
      csv.end()
    } catch (error) {
      csv.destroy(error as Error)
    }
  })()
  return csv
}

/** Streams rows as a CSV download (see `csvStream`). */
export function sendCsv<Row>(
  response: HttpResponse,
  filename: string,
  columns: CsvColumn<Row>[],
  pages: AsyncIterable<Row[]>
) {
  response.header('Content-Type', 'text/csv; charset=utf-8')
  response.header('Content-Disposition', `attachment; filename="${filename}"`)
  response.stream(csvStream(columns, pages))
}

/**
 * Yields the rows of a query in chunks of `size`, in the query's order.
 */
export async function* inChunks<Row>(query: { clone(): any }, size = 1000): AsyncGenerator<Row[]> {
  for (let offset = 0; ; offset += size) {
    const rows = (await query.clone().offset(offset).limit(size)) as Row[]
    if (rows.length > 0) yield rows
    if (rows.length < size) return
  }
}
