import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { PassThrough } from 'node:stream'
import panelConfig from '#config/panel'
import DashboardFigureService from '#services/dashboard_figures'

/**
 * The dashboard, and its live figures as Server-Sent Events.
 */
@inject()
export default class DashboardController {
  constructor(protected figures: DashboardFigureService) {}

  async show({ view }: HttpContext) {
    const [figures, online] = await Promise.all([
      this.figures.current(),
      this.figures.onlineLast24Hours(),
    ])
    return view.render('pages/dashboard', { figures, online })
  }

  /**
   * `text/event-stream`: one `figures` event at once, then one every
   * `PANEL_LIVE_INTERVAL` seconds, until the browser goes away. The
   * session was committed before the stream starts, so it holds nothing.
   */
  async stream({ request, response, logger }: HttpContext) {
    const events = new PassThrough()
    let closed = false
    const send = async () => {
      if (closed) return
      try {
        const payload = {
          ...(await this.figures.current()),
          online: await this.figures.onlineLast24Hours(),
        }
        if (!closed) events.write(`event: figures\ndata: ${JSON.stringify(payload)}\n\n`)
      } catch (error) {
        logger.warn({ err: error }, 'dashboard stream: figures unavailable')
      }
    }
    const timer = setInterval(send, panelConfig.liveIntervalSeconds * 1000)
    const stop = () => {
      closed = true
      clearInterval(timer)
      events.end()
    }
    request.request.once('close', stop)
    events.write(`retry: ${panelConfig.liveIntervalSeconds * 1000}\n\n`)
    await send()

    response.header('Content-Type', 'text/event-stream; charset=utf-8')
    response.header('Cache-Control', 'no-store')
    response.header('X-Accel-Buffering', 'no')
    response.stream(events)
  }
}
