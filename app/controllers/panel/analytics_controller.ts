import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import AnalyticsReport, { readAnalyticsFilters } from '#services/analytics/analytics_report'
import { chartJsUrl } from '#support/chart_js'
import { sendCsv } from '#support/csv_export'

/**
 * Usage analytics: sessions, devices, heartbeats and meter usage over a
 * range, for all products, one product or one license, with CSV exports
 * of the figures and of the raw usage events.
 */
@inject()
export default class AnalyticsController {
  constructor(protected report: AnalyticsReport) {}

  async index({ view, request }: HttpContext) {
    const filters = await readAnalyticsFilters(request.qs())
    const [data, chartJs] = await Promise.all([this.report.products(filters), chartJsUrl()])
    return view.render('pages/analytics/index', { ...data, chartJsUrl: chartJs })
  }

  async license({ view, request, params }: HttpContext) {
    const filters = await readAnalyticsFilters(request.qs())
    const [data, chartJs] = await Promise.all([
      this.report.license(params.id, filters),
      chartJsUrl(),
    ])
    return view.render('pages/analytics/license', { ...data, chartJsUrl: chartJs })
  }

  /** `GET /admin/analytics/figures.csv`: the charts' figures, one row per bucket. */
  async figures({ request, response }: HttpContext) {
    const { filename, columns, rows } = await this.report.figuresCsv(
      await readAnalyticsFilters(request.qs())
    )
    return sendCsv(response, filename, columns, rows)
  }

  /** `GET /admin/analytics/events.csv`: every usage record of the range. */
  async events({ request, response }: HttpContext) {
    const { filename, columns, rows } = await this.report.eventsCsv(
      await readAnalyticsFilters(request.qs())
    )
    return sendCsv(response, filename, columns, rows)
  }
}
