import { readFile } from 'node:fs/promises'
import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { adminActor, inChunks, readListState, sendCsv } from '#plugin_host/api'
import LeadTransfer, { CSV_COLUMNS } from '../services/csv_transfer.js'
import { LEAD_FILTERS } from '../services/lead_queries.js'

/** Institutions with their contacts as CSV, out and in. */
@inject()
export default class TransferController {
  constructor(protected transfer: LeadTransfer) {}

  /** The overview's filtered list, one row per contact. */
  async export({ request, response }: HttpContext) {
    const list = await readListState(request, {
      sortable: ['name'] as const,
      defaultSort: 'name',
      filters: LEAD_FILTERS,
    })
    const query = this.transfer.exportQuery({ q: list.q, ...list.filters })
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
    const { problems, outcome } = await this.transfer.importCsv(text, adminActor(ctx), i18n)
    return view.render('lead-crm::import', {
      problems,
      outcome: outcome ?? null,
      columns: CSV_COLUMNS,
    })
  }
}
