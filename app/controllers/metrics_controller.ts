import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import Metrics from '#services/metrics'

/** `GET /metrics`: this process' registry in the Prometheus text format. */
@inject()
export default class MetricsController {
  constructor(protected metrics: Metrics) {}

  async show({ response }: HttpContext) {
    const { contentType, body } = await this.metrics.exposition()
    response.header('Content-Type', contentType).header('Cache-Control', 'no-store').send(body)
  }
}
