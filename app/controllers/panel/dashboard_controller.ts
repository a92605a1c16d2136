import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import { createReadStream } from 'node:fs'
import { PassThrough } from 'node:stream'
import type dashboardConfig from '#config/dashboard'
import BackupHealth from '#services/backup_health'
import SecurityLists from '#services/security/security_lists'
import DashboardFigureService from '#services/dashboard_figures'
import { PanelExtensions } from '#services/panel_extensions'
import { CHART_JS_FILE, chartJsTag, chartJsUrl } from '#support/chart_js'

/**
 * The dashboard, its live figures as Server-Sent Events, and the charting
 * library it draws with.
 */
@inject()
export default class DashboardController {
  /** Streams open in this process (for tests and curious operators). */
  static openStreams = 0

  constructor(
    protected figures: DashboardFigureService,
    protected extensions: PanelExtensions,
    protected backups: BackupHealth,
    protected security: SecurityLists
  ) {}

  async show({ view, i18n }: HttpContext) {
    const [figures, online, chartJs, cards, backupWarning, alerts] = await Promise.all([
      this.figures.current(),
      this.figures.onlineLast24Hours(),
      chartJsUrl(),
      this.extensions.dashboardCards((key, data) => i18n.t(key, data)),
      this.backups.warning(),
      this.security.dashboard(),
    ])
    return view.render('pages/dashboard', {
      figures,
      online,
      chartJsUrl: chartJs,
      cards,
      backupWarning,
      alerts,
      bucketMinutes: app.config.get<typeof dashboardConfig>('dashboard').chartBucketMinutes,
    })
  }

  /**
   * `text/event-stream`: a `figures` event at once and then every
   * `streamIntervalSeconds`; a `chart` event (the 24-hour series) at once
   * and then every `chartIntervalSeconds`. Ends when the browser goes away,
   * or after `streamMaxSeconds` (the browser reconnects, through the login
   * check). The panel session was committed before the first byte, so an
   * open stream holds nothing: other pages of the same admin load as usual.
   */
  async stream({ response, logger }: HttpContext) {
    const config = app.config.get<typeof dashboardConfig>('dashboard')
    const intervalMs = Math.max(100, config.streamIntervalSeconds * 1000)
    const chartEvery = Math.max(
      1,
      Math.round(config.chartIntervalSeconds / config.streamIntervalSeconds)
    )
    const events = new PassThrough()
    let open = true
    let busy = false
    let ticks = 0

    const send = (name: string, data: unknown) => {
      if (open) events.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`)
    }
    const tick = async () => {
      // A slow database skips a beat rather than piling up queries.
      if (busy || !open) return
      busy = true
      const withChart = ticks++ % chartEvery === 0
      try {
        send('figures', await this.figures.current())
        if (withChart) send('chart', await this.figures.onlineLast24Hours())
      } catch (error) {
        logger.warn({ err: error }, 'dashboard stream: figures unavailable')
      } finally {
        busy = false
      }
    }

    DashboardController.openStreams++
    const timer = setInterval(tick, intervalMs).unref()
    const lifetime = setTimeout(() => {
      open = false
      events.end()
      // Never handed to a response (the request failed after this handler)?
      // Then nobody reads it to its end: let it go all the same.
      setTimeout(() => events.destroy(), 5000).unref()
    }, config.streamMaxSeconds * 1000).unref()
    // Closed by the end of its lifetime, or destroyed by the response when
    // the client disconnects.
    events.once('close', () => {
      open = false
      clearInterval(timer)
      clearTimeout(lifetime)
      DashboardController.openStreams--
    })

    events.write(`retry: ${Math.max(1000, intervalMs)}\n\n`)
    await tick()

    response.header('Content-Type', 'text/event-stream; charset=utf-8')
    response.header('Cache-Control', 'no-store')
    response.header('X-Accel-Buffering', 'no')
    response.stream(events)
  }

  /** Chart.js's UMD build; its URL carries a hash of the file, so it caches for good. */
  async chartJs({ request, response }: HttpContext) {
    const { tag, size } = await chartJsTag()
    const etag = `"${tag}"`
    response.header('Content-Type', 'text/javascript; charset=utf-8')
    response.header('Cache-Control', 'public, max-age=31536000, immutable')
    response.header('ETag', etag)
    if (request.header('if-none-match') === etag) {
      response.status(304)
      return
    }
    response.header('Content-Length', String(size))
    response.stream(createReadStream(CHART_JS_FILE))
  }
}
