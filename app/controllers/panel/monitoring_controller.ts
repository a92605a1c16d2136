import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type monitoringConfig from '#config/monitoring'
import MonitoringReport from '#services/monitoring/monitoring_report'
import { displayOf } from '#services/monitoring/presentation'
import { chartJsUrl } from '#support/chart_js'

/**
 * The monitoring page: the installation's request rate, errors and
 * latency over the last hour, and the state of its parts, for admins
 * without Grafana. The page polls `data` to stay live.
 */
@inject()
export default class MonitoringController {
  constructor(protected report: MonitoringReport) {}

  async show({ view, i18n }: HttpContext) {
    const [data, chartJs] = await Promise.all([this.report.current(), chartJsUrl()])
    const config = app.config.get<typeof monitoringConfig>('monitoring')
    return view.render('pages/monitoring/index', {
      data,
      display: displayOf(data, (key, values) => i18n.t(key, values)),
      chartJsUrl: chartJs,
      refreshSeconds: config.sampleIntervalSeconds,
    })
  }

  /** The same figures as JSON, for the page's live updates. */
  async data({ response, i18n }: HttpContext) {
    const data = await this.report.current()
    response.header('Cache-Control', 'no-store')
    return { ...data, display: displayOf(data, (key, values) => i18n.t(key, values)) }
  }
}
