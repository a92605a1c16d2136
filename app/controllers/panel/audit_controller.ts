import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import { DateTime } from 'luxon'
import AuditList, { AUDIT_CSV_COLUMNS } from '#services/audit_list'
import { sendCsv, type CsvColumn } from '#support/csv_export'
import { AUDIT_ACTOR_TYPES, readAuditFilters } from '#validators/panel_audit'

type Row = Record<string, unknown>

const CSV_COLUMNS: CsvColumn<Row>[] = AUDIT_CSV_COLUMNS.map((name) => ({
  header: name,
  value: (row: Row) => row[name],
}))

/**
 * The audit log, read-only, for every admin: filter, page through and
 * export. Writing happens only through AuditTrail, beside each change.
 */
@inject()
export default class AuditController {
  constructor(protected auditList: AuditList) {}

  async index({ view, request }: HttpContext) {
    const { list, filters, ignored } = await readAuditFilters(request)
    const page = await this.auditList.page(list, filters)
    const { actions, subjectTypes } = await this.auditList.suggestions()
    return view.render('pages/audit/index', {
      list,
      page,
      ignored,
      actorTypes: AUDIT_ACTOR_TYPES,
      actions,
      subjectTypes,
      exportUrl: list.urlWith({ page: null, per_page: null }, urlFor('admin.audit.export')),
      zone: DateTime.local().toFormat('ZZZZ'),
    })
  }

  /** The filtered log as CSV, in the list's order. */
  async export({ request, response }: HttpContext) {
    const { list, filters } = await readAuditFilters(request)
    const rows = await this.auditList.exportChunks(list, filters)
    const stamp = DateTime.utc().toFormat("yyyyLLdd'-'HHmm")
    sendCsv(response, `audit-log-${stamp}.csv`, CSV_COLUMNS, rows)
  }
}
