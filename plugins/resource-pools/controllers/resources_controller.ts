import { readFile } from 'node:fs/promises'
import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import {
  adminActor,
  inChunks,
  paginate,
  readCsvRows,
  readListState,
  sendCsv,
  type ImportProblem,
} from '#plugin_host/api'
import ResourceAllocator from '../services/allocator.js'
import ResourceInventory, { STATUSES, type AdditionLine } from '../services/inventory.js'
import PoolsSettings from '../services/settings.js'
import { addFormValidator, csvRowValidator, idsValidator } from '../validators.js'

const CSV_COLUMNS = ['type', 'value', 'pool', 'notes'] as const
const SORTABLE = ['value', 'type', 'status', 'pool', 'created_at'] as const

/** The resource list, its CSV export, bulk add and retire, and a resource's page. */
@inject()
export default class ResourcesController {
  constructor(
    protected inventory: ResourceInventory,
    protected allocator: ResourceAllocator,
    protected settings: PoolsSettings
  ) {}

  protected async listState(request: HttpContext['request']) {
    return readListState(request, {
      sortable: SORTABLE,
      defaultSort: 'value',
      defaultDir: 'asc',
      filters: {
        type: this.settings.typeNames,
        status: STATUSES,
        pool: /^.{1,60}$/,
        flagged: ['yes'],
      },
    })
  }

  async index({ view, request, i18n }: HttpContext) {
    const list = await this.listState(request)
    const query = this.inventory
      .listQuery({ q: list.q, ...list.filters })
      .orderBy(`r.${list.sort}`, list.dir)
      .orderBy('r.id')
    return view.render('resource-pools::list', {
      list,
      page: await paginate(query, list),
      types: this.settings.typeNames,
      typeLabels: this.settings.labels(i18n),
      statuses: STATUSES,
      pools: await this.inventory.poolNames(),
    })
  }

  async export({ request, response }: HttpContext) {
    const list = await this.listState(request)
    const query = this.inventory
      .listQuery({ q: list.q, ...list.filters })
      .orderBy(`r.${list.sort}`, list.dir)
      .orderBy('r.id')
    const columns = [
      'type',
      'value',
      'pool',
      'status',
      'license_key',
      'allocated_at',
      'quarantined_until',
      'flagged_at',
      'flag_reason',
      'notes',
      'created_at',
    ]
    sendCsv(
      response,
      'resources.csv',
      columns.map((column) => ({ header: column, value: (row: any) => row[column] })),
      inChunks(query)
    )
  }

  async create({ view, i18n }: HttpContext) {
    return view.render('resource-pools::add', this.addPage(i18n, {}))
  }

  protected addPage(i18n: HttpContext['i18n'], extra: Record<string, unknown>) {
    return {
      types: this.settings.typeNames,
      typeLabels: this.settings.labels(i18n),
      columns: CSV_COLUMNS,
      problems: [],
      added: null,
      maxRangeSize: this.settings.config.maxRangeSize,
      ...extra,
    }
  }

  /**
   * Pasted values (one per line, of the chosen type and pool) or an
   * uploaded CSV (type,value,pool,notes): all added, or none and every
   * problem by line.
   */
  async store(ctx: HttpContext) {
    const { request, view, i18n } = ctx
    const input = await request.validateUsing(addFormValidator)
    const file = request.file('file', { size: '5mb', extnames: ['csv', 'txt'] })
    let lines: AdditionLine[] = []
    let fileProblems: ImportProblem[] = []
    if (file) {
      if (!file.isValid || !file.tmpPath) {
        fileProblems = file.errors.map((error) => ({
          row: 0,
          field: 'file',
          message: error.message,
        }))
      } else {
        const { problems, rows } = await readCsvRows<{
          type: string
          value: string
          pool?: string
          notes?: string
        }>(await readFile(file.tmpPath, 'utf8'), {
          columns: CSV_COLUMNS,
          required: ['type', 'value'],
          validator: csvRowValidator,
          i18n,
        })
        fileProblems = problems
        lines = rows.map((row) => ({
          line: row.line,
          type: row.type,
          value: row.value,
          pool: row.pool ?? null,
          notes: row.notes ?? null,
        }))
      }
    } else {
      lines = (input.values ?? '')
        .split(/\r?\n/)
        .map((value, index) => ({
          line: index + 1,
          type: input.type ?? 'domain',
          value,
          pool: input.pool ?? null,
          notes: input.notes ?? null,
        }))
        .filter((line) => line.value.trim() !== '')
    }
    const words = (problem: string, data: Record<string, unknown> = {}) =>
      i18n.t(`resource_pools.problems.${problem}`, data)
    if (fileProblems.length > 0) {
      return view.render(
        'resource-pools::add',
        this.addPage(i18n, {
          problems: fileProblems.map((problem) => ({
            line: problem.row,
            value: problem.field,
            message: problem.message,
          })),
        })
      )
    }
    const result = await this.inventory.add(lines, adminActor(ctx))
    if (!result.ok) {
      return view.render(
        'resource-pools::add',
        this.addPage(i18n, {
          problems: result.problems.map((problem) => ({
            line: problem.line,
            value: problem.value,
            message: words(problem.problem, problem.data),
          })),
          input,
        })
      )
    }
    return view.render('resource-pools::add', this.addPage(i18n, { added: result.added }))
  }

  async retire(ctx: HttpContext) {
    const { ids, reason } = await ctx.request.validateUsing(idsValidator)
    const result = await this.inventory.retire(ids, adminActor(ctx), reason ?? null)
    ctx.session.flash('success', ctx.i18n.t('resource_pools.retired', result))
    return ctx.response.redirect().back()
  }

  async show({ view, params, response, i18n }: HttpContext) {
    const resource = await this.inventory.find(Number(params.id))
    if (!resource) return response.notFound()
    return view.render('resource-pools::show', {
      resource,
      history: await this.inventory.historyOf(resource.id),
      typeLabels: this.settings.labels(i18n),
    })
  }

  async clearFlag(ctx: HttpContext) {
    const cleared = await this.allocator.clearFlag(Number(ctx.params.id), adminActor(ctx))
    if (cleared) ctx.session.flash('success', ctx.i18n.t('resource_pools.flag_cleared'))
    return ctx.response.redirect().toRoute('admin.resources.show', { id: ctx.params.id })
  }
}
