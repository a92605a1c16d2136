import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import SessionList, { type SessionRow } from '#services/session_list'
import SessionService from '#services/session_service'
import { END_REASONS } from '#services/session_ledger'
import { Clock } from '#support/clock'
import { adminActor } from '#support/actor'
import { sendCsv, type CsvColumn } from '#support/csv_export'
import { formatMoment } from '#support/formatting'
import { readHistoryList, readLiveList } from '#validators/panel_sessions'

/** The history's CSV export, in order. */
const HISTORY_CSV: CsvColumn<SessionRow>[] = [
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
    protected sessionList: SessionList,
    protected clock: Clock
  ) {}

  async index({ view, request }: HttpContext) {
    const list = await readLiveList(request)
    return view.render('pages/sessions/index', {
      list,
      page: await this.sessionList.live(list),
      ...(await this.sessionList.choices(list)),
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

  async history({ view, request }: HttpContext) {
    const { list, range } = await readHistoryList(request, this.clock.now())
    const dateInput = "yyyy-LL-dd'T'HH:mm"
    return view.render('pages/sessions/history', {
      list,
      page: await this.sessionList.history(list, range),
      reasons: END_REASONS,
      // The range as the form shows it (the end as the last minute included).
      from: list.filters.from ?? range.from.toFormat(dateInput),
      to: list.filters.to ?? '',
      rangeText: `${formatMoment(range.from)} – ${formatMoment(range.before)}`,
      exportUrl: list.urlWith(
        { page: null, per_page: null },
        urlFor('admin.sessions.export_history')
      ),
      ...(await this.sessionList.choices(list)),
    })
  }

  /** The filtered history as CSV, in the page's order. */
  async exportHistory({ request, response }: HttpContext) {
    const { list, range } = await readHistoryList(request, this.clock.now())
    const stamp = this.clock.now().toFormat("yyyyLLdd'-'HHmm")
    sendCsv(
      response,
      `session-history-${stamp}.csv`,
      HISTORY_CSV,
      this.sessionList.historyChunks(list, range)
    )
  }
}
