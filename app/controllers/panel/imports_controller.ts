import { readFile } from 'node:fs/promises'
import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import CustomerTransfer, { CUSTOMER_CSV_COLUMNS } from '#services/imports/customer_transfer'
import LicenseTransfer, { LICENSE_CSV_COLUMNS } from '#services/imports/license_transfer'
import PendingImports, { type ImportKind } from '#services/imports/pending_imports'
import type { ImportProblem } from '#services/imports/csv_records'
import ProductList from '#services/product_list'
import { adminActor, adminIdOf } from '#support/actor'
import { inChunks, sendCsv } from '#support/csv_export'
import {
  importConfirmValidator,
  importExportFilterValidator,
  importPasteValidator,
} from '#validators/imports'

const COLUMNS: Record<ImportKind, readonly string[]> = {
  customers: CUSTOMER_CSV_COLUMNS,
  licenses: LICENSE_CSV_COLUMNS,
}

/** Problems shown on the page; the count says how many there are in all. */
const PROBLEMS_SHOWN = 200

/**
 * Customers and licenses as CSV: export, and an import in two steps — the
 * file is checked (a dry run that reports every row's problems, or what it
 * would change), then imported on confirmation.
 */
@inject()
export default class ImportsController {
  constructor(
    protected customers: CustomerTransfer,
    protected licenses: LicenseTransfer,
    protected pending: PendingImports,
    protected products: ProductList
  ) {}

  protected transferOf(kind: ImportKind) {
    return kind === 'customers' ? this.customers : this.licenses
  }

  async index({ view }: HttpContext) {
    return view.render('pages/imports/index', {
      columns: COLUMNS,
      products: await this.products.all(),
    })
  }

  /**
   * `GET /admin/imports/:kind/export.csv`: every row, in the import's
   * columns; licenses of one product with `?product_id=`.
   */
  async export({ params, request, response }: HttpContext) {
    const kind = params.kind as ImportKind
    const { product_id: productId } = await importExportFilterValidator.validate(request.qs())
    const [columns, query] =
      kind === 'customers'
        ? [this.customers.exportColumns(), this.customers.exportQuery()]
        : [this.licenses.exportColumns(), this.licenses.exportQuery({ productId })]
    sendCsv(response, `${kind}.csv`, columns, inChunks(query))
  }

  /**
   * Checks an uploaded (or pasted) file without writing: its problems by
   * line, or what importing it would change and a button that does it.
   */
  async preview(ctx: HttpContext) {
    const { request, view, i18n } = ctx
    const kind = ctx.params.kind as ImportKind
    const render = (problems: ImportProblem[], extra: Record<string, unknown> = {}) =>
      view.render('pages/imports/preview', {
        kind,
        problems: problems.slice(0, PROBLEMS_SHOWN),
        problemCount: problems.length,
        outcome: null,
        token: null,
        ...extra,
      })

    const { csv } = await request.validateUsing(importPasteValidator)
    const file = request.file('file', { size: '5mb', extnames: ['csv', 'txt'] })
    let text = csv ?? ''
    if (file) {
      if (!file.isValid || !file.tmpPath) {
        return render([
          {
            row: 0,
            field: 'file',
            message: i18n.t('imports.file_invalid', {
              message: file.errors.map((error) => error.message).join(' '),
            }),
          },
        ])
      }
      text = await readFile(file.tmpPath, 'utf8')
    }
    if (text.trim() === '') {
      return render([{ row: 0, field: 'file', message: i18n.t('imports.no_input') }])
    }

    const actor = adminActor(ctx)
    const result = await this.transferOf(kind).importCsv(text, actor, i18n, { dryRun: true })
    if (!result.outcome) return render(result.problems)
    const changes = result.outcome.created + result.outcome.updated
    const token = changes > 0 ? await this.pending.store(kind, adminIdOf(actor), text) : null
    return render([], { outcome: result.outcome, token })
  }

  /** Imports the file its preview checked; problems that appeared since are shown instead. */
  async confirm(ctx: HttpContext) {
    const { request, view, i18n, session, response } = ctx
    const kind = ctx.params.kind as ImportKind
    const { token } = await request.validateUsing(importConfirmValidator)
    const actor = adminActor(ctx)
    const text = await this.pending.take(kind, adminIdOf(actor), token)
    if (text === null) {
      session.flash('error', i18n.t('imports.expired'))
      return response.redirect().toRoute('admin.imports.index')
    }
    const result = await this.transferOf(kind).importCsv(text, actor, i18n)
    if (!result.outcome) {
      return view.render('pages/imports/preview', {
        kind,
        problems: result.problems.slice(0, PROBLEMS_SHOWN),
        problemCount: result.problems.length,
        outcome: null,
        token: null,
      })
    }
    session.flash('success', i18n.t('imports.done', result.outcome))
    return response.redirect().toRoute('admin.imports.index')
  }
}
