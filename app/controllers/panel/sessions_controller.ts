import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import SessionService from '#services/session_service'
import { END_REASONS } from '#services/session_ledger'
import { SessionPolicyRegistry } from '#services/session_policies'
import { Clock } from '#support/clock'
import { adminActor } from '#support/actor'
import { inChunks, sendCsv, type CsvColumn } from '#support/csv_export'
import { formatMoment } from '#support/formatting'
import { likePattern, paginate, type ListState } from '#support/panel_list'
import {
  HISTORY_SORTS,
  LIVE_SORTS,
  readHistoryList,
  readLiveList,
} from '#validators/panel_sessions'

type Query = DatabaseQueryBuilderContract<any>
type Row = Record<string, any>

/** The history's CSV export, in order. */
const HISTORY_CSV: CsvColumn<Row>[] = [
  { header: 'session_id', value: (row) => row.id },
  { header: 'license_key', value: (row) => row.license_key },
  { header: 'product', value: (row) => row.product_name },
  { header: 'customer', value: (row) => row.customer_name },
  { header: 'fingerprint', value: (row) => row.fingerprint },
  { header: 'ip', value: (row) => row.ip },
  { header: 'client_version', value: (row) => row.client_version },
  { header: 'policy', value: (row) => row.policy },
  { header: 'started_at', value: (row) => row.started_at },
  { header: 'last_heartbeat_at', value: (row) => row.last_heartbeat_at },
  { header: 'ended_at', value: (row) => row.ended_at },
  { header: 'end_reason', value: (row) => row.end_reason },
  { header: 'ended_by', value: (row) => row.ended_by },
  { header: 'heartbeats', value: (row) => row.heartbeat_count },
]

/**
 * Who is online, and who was: the live sessions (owners may end one), and
 * the history of ended sessions with why they ended.
 */
@inject()
export default class SessionsController {
  constructor(
    protected sessions: SessionService,
    protected policies: SessionPolicyRegistry,
    protected clock: Clock
  ) {}

  /** Search and the filters both pages share, on `table` (`s` or `h`). */
  protected narrow(query: Query, list: ListState, table: 's' | 'h') {
    if (list.q) {
      const pattern = likePattern(list.q)
      query.where((where) => {
        where
          .whereILike('l.key', pattern)
          .orWhereILike(`${table}.fingerprint`, pattern)
          .orWhereILike(`${table}.ip`, pattern)
          .orWhereILike('c.name', pattern)
          .orWhereILike(`${table}.client_version`, pattern)
        if (table === 'h') where.orWhereILike('h.ended_by', pattern)
      })
    }
    if (list.filters.policy) query.where(`${table}.policy`, list.filters.policy)
    if (list.filters.product_id) query.where('l.product_id', Number(list.filters.product_id))
    return query
  }

  /** What the filter selects offer. */
  protected async choices(list: ListState) {
    const products = await db.from('products').select('id', 'name').orderBy('name')
    const policies = new Set(this.policies.names())
    if (list.filters.policy) policies.add(list.filters.policy)
    return { products, policies: [...policies].sort() }
  }

  async index({ view, request }: HttpContext) {
    const list = await readLiveList(request)
    const query = db
      .from('license_sessions as s')
      .join('licenses as l', 'l.id', 's.license_id')
      .join('products as p', 'p.id', 'l.product_id')
      .leftJoin('customers as c', 'c.id', 'l.customer_id')
      .where('s.expires_at', '>', this.clock.now().toJSDate())
      .select(
        's.id',
        's.license_id',
        'l.key as license_key',
        'p.name as product_name',
        'c.id as customer_id',
        'c.name as customer_name',
        's.fingerprint',
        's.ip',
        's.client_version',
        's.policy',
        's.started_at',
        's.last_heartbeat_at',
        's.expires_at'
      )
      .orderByRaw(`${LIVE_SORTS[list.sort]} ${list.dir} NULLS LAST`)
      .orderBy('s.id', list.dir)
    this.narrow(query, list, 's')
    return view.render('pages/sessions/index', {
      list,
      page: await paginate(query, list),
      ...(await this.choices(list)),
    })
  }

  async forceEnd(ctx: HttpContext) {
    const id = Number(ctx.params.id)
    const ended = Number.isSafeInteger(id) && (await this.sessions.forceEnd(id, adminActor(ctx)))
    ctx.session.flash(
      ended ? 'success' : 'error',
      ctx.i18n.t(ended ? 'sessions_panel.force_ended' : 'sessions_panel.not_live')
    )
    return ctx.response.redirect().back()
  }

  protected async historyQuery(request: HttpContext['request']) {
    const { list, range } = await readHistoryList(request, this.clock.now())
    const query = db
      .from('session_history as h')
      .join('licenses as l', 'l.id', 'h.license_id')
      .join('products as p', 'p.id', 'l.product_id')
      .leftJoin('customers as c', 'c.id', 'l.customer_id')
      .where('h.ended_at', '>=', range.from.toJSDate())
      .where('h.ended_at', '<', range.before.toJSDate())
      .select(
        'h.id',
        'h.license_id',
        'l.key as license_key',
        'p.name as product_name',
        'c.id as customer_id',
        'c.name as customer_name',
        'h.fingerprint',
        'h.ip',
        'h.client_version',
        'h.policy',
        'h.started_at',
        'h.last_heartbeat_at',
        'h.ended_at',
        'h.end_reason',
        'h.ended_by',
        'h.heartbeat_count'
      )
      .orderByRaw(`${HISTORY_SORTS[list.sort]} ${list.dir} NULLS LAST`)
      .orderBy('h.id', list.dir)
    if (list.filters.end_reason) query.where('h.end_reason', list.filters.end_reason)
    this.narrow(query, list, 'h')
    return { list, range, query }
  }

  async history({ view, request }: HttpContext) {
    const { list, range, query } = await this.historyQuery(request)
    const dateInput = "yyyy-LL-dd'T'HH:mm"
    return view.render('pages/sessions/history', {
      list,
      page: await paginate(query, list),
      reasons: END_REASONS,
      // The range as the form shows it (the end as the last minute included).
      from: list.filters.from ?? range.from.toFormat(dateInput),
      to: list.filters.to ?? '',
      rangeText: `${formatMoment(range.from)} – ${formatMoment(range.before)}`,
      exportUrl: list
        .urlWith({ page: null, per_page: null })
        .replace(/^[^?]*/, '/admin/sessions/history/export.csv'),
      ...(await this.choices(list)),
    })
  }

  /** The filtered history as CSV, in the page's order. */
  async exportHistory({ request, response }: HttpContext) {
    const { query } = await this.historyQuery(request)
    const stamp = this.clock.now().toFormat("yyyyLLdd'-'HHmm")
    sendCsv(response, `session-history-${stamp}.csv`, HISTORY_CSV, inChunks<Row>(query))
  }
}
