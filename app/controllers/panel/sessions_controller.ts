import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import SessionService from '#services/session_service'
import { END_REASONS } from '#services/session_ledger'
import { Clock } from '#support/clock'
import { adminActor } from '#support/actor'
import { inChunks, sendCsv } from '#support/csv_export'
import { formatMoment } from '#support/formatting'
import { likePattern, paginate, readListState, type ListState } from '#support/panel_list'

const DAY_OR_MOMENT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/

/** A `from`/`to` filter as a moment in UTC, or null when it is not a date. */
function momentOf(value: string | undefined, endOfRange: boolean) {
  if (!value) return null
  const parsed = DateTime.fromISO(value, { zone: 'utc' })
  if (!parsed.isValid) return null
  if (!endOfRange) return parsed
  return value.length === 10 ? parsed.endOf('day') : parsed.endOf('minute')
}

/**
 * Who is online, and who was: live sessions (owners may end one), and the
 * history of ended sessions with their end reason.
 */
@inject()
export default class SessionsController {
  constructor(
    protected sessions: SessionService,
    protected clock: Clock
  ) {}

  protected search(query: any, list: ListState, table: string) {
    if (!list.q) return
    const pattern = likePattern(list.q)
    query.where((where: any) =>
      where
        .whereILike('l.key', pattern)
        .orWhereILike(`${table}.fingerprint`, pattern)
        .orWhereRaw(`${table}.ip::text ILIKE ?`, [pattern])
        .orWhereILike('c.name', pattern)
        .orWhereILike(`${table}.client_version`, pattern)
    )
  }

  async index({ view, request }: HttpContext) {
    const list = await readListState(request, {
      sortable: ['started_at', 'last_heartbeat_at', 'expires_at'] as const,
      defaultSort: 'started_at',
      filters: { policy: /^[a-z][a-z0-9-]{0,59}$/ },
    })
    const query = db
      .from('license_sessions as s')
      .join('licenses as l', 'l.id', 's.license_id')
      .leftJoin('customers as c', 'c.id', 'l.customer_id')
      .where('s.expires_at', '>', this.clock.now().toJSDate())
      .select(
        's.id',
        's.license_id',
        'l.key as license_key',
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
      .orderBy(`s.${list.sort}`, list.dir)
      .orderBy('s.id', list.dir)
    this.search(query, list, 's')
    if (list.filters.policy) query.where('s.policy', list.filters.policy)
    return view.render('pages/sessions/index', { list, page: await paginate(query, list) })
  }

  async forceEnd(ctx: HttpContext) {
    const ended = await this.sessions.forceEnd(Number(ctx.params.id), adminActor(ctx))
    ctx.session.flash(
      ended ? 'success' : 'error',
      ctx.i18n.t(ended ? 'sessions_panel.force_ended' : 'sessions_panel.not_live')
    )
    return ctx.response.redirect().back()
  }

  protected async historyQuery(request: HttpContext['request']) {
    const list = await readListState(request, {
      sortable: ['ended_at', 'started_at'] as const,
      defaultSort: 'ended_at',
      filters: { end_reason: END_REASONS, from: DAY_OR_MOMENT, to: DAY_OR_MOMENT },
    })
    const from =
      momentOf(list.filters.from, false) ?? this.clock.now().minus({ hours: 24 }).startOf('minute')
    const to = momentOf(list.filters.to, true)
    const query = db
      .from('session_history as h')
      .join('licenses as l', 'l.id', 'h.license_id')
      .leftJoin('customers as c', 'c.id', 'l.customer_id')
      .where('h.ended_at', '>=', from.toJSDate())
      .select(
        'h.id',
        'h.license_id',
        'l.key as license_key',
        'c.name as customer_name',
        'h.fingerprint',
        'h.ip',
        'h.client_version',
        'h.policy',
        'h.started_at',
        'h.ended_at',
        'h.end_reason',
        'h.ended_by',
        'h.heartbeat_count'
      )
      .orderBy(`h.${list.sort}`, list.dir)
      .orderBy('h.id', list.dir)
    if (to) query.where('h.ended_at', '<=', to.toJSDate())
    if (list.filters.end_reason) query.where('h.end_reason', list.filters.end_reason)
    this.search(query, list, 'h')
    return { list, query, from }
  }

  async history({ view, request }: HttpContext) {
    const { list, query, from } = await this.historyQuery(request)
    return view.render('pages/sessions/history', {
      list,
      page: await paginate(query, list),
      from: from.toFormat("yyyy-LL-dd'T'HH:mm"),
      reasons: END_REASONS,
    })
  }

  async exportHistory({ request, response }: HttpContext) {
    const { query } = await this.historyQuery(request)
    return sendCsv(
      response,
      'session-history.csv',
      [
        { header: 'license_key', value: (row: any) => row.license_key },
        { header: 'customer', value: (row: any) => row.customer_name },
        { header: 'fingerprint', value: (row: any) => row.fingerprint },
        { header: 'ip', value: (row: any) => row.ip },
        { header: 'client_version', value: (row: any) => row.client_version },
        { header: 'policy', value: (row: any) => row.policy },
        { header: 'started_at', value: (row: any) => formatMoment(row.started_at, true) },
        { header: 'ended_at', value: (row: any) => formatMoment(row.ended_at, true) },
        { header: 'end_reason', value: (row: any) => row.end_reason },
        { header: 'ended_by', value: (row: any) => row.ended_by },
        { header: 'heartbeats', value: (row: any) => row.heartbeat_count },
      ],
      inChunks(query)
    )
  }
}
