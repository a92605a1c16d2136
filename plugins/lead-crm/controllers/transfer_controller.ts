import { readFile } from 'node:fs/promises'
import type { HttpContext } from '@adonisjs/core/http'
import { adminActor } from '#support/actor'
import { inChunks, sendCsv } from '#support/csv_export'
import { readListState } from '#support/panel_list'
import { CSV_COLUMNS, exportQuery, importCsv } from '../services/csv_transfer.js'
import { LEAD_FILTERS } from '../services/lead_queries.js'

/** Institutions with their contacts as CSV, out and in. */
export default class TransferController {
  /** The overview's filtered list, one row per contact. */
  async export({ request, response }: HttpContext) {
    const list = await readListState(request, {
      sortable: ['name'] as const,
      defaultSort: 'name',
      filters: LEAD_FILTERS,
    })
    const query = exportQuery({ q: list.q, ...list.filters })
    sendCsv(
      response,
      'leads.csv',
      CSV_COLUMNS.map((column) => ({ header: column, value: (row: any) => row[column] })),
      inChunks(query)
    )
  }

  async showImport({ view }: HttpContext) {
    return view.render('lead-crm::import', { problems: [], outcome: null, columns: CSV_COLUMNS })
  }

  /**
   * Reads the uploaded file (or pasted text), and either imports all of it
   * or shows every problem by line and imports nothing.
   */
  async import(ctx: HttpContext) {
    const { request, view, i18n } = ctx
    const file = request.file('file', { size: '5mb', extnames: ['csv', 'txt'] })
    let text = String(request.input('csv') ?? '')
    if (file) {
      if (!file.isValid || !file.tmpPath) {
        return view.render('lead-crm::import', {
          problems: file.errors.map((error) => ({ row: 0, field: 'file', message: error.message })),
          outcome: null,
          columns: CSV_COLUMNS,
        })
      }
      text = await readFile(file.tmpPath, 'utf8')
    }
    const { problems, outcome } = await importCsv(
      text,
      adminActor(ctx),
      i18n.createMessagesProvider()
    )
    return view.render('lead-crm::import', {
      problems,
      outcome: outcome ?? null,
      columns: CSV_COLUMNS,
    })
  }
}
