import { performance } from 'node:perf_hooks'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import metrics from '#services/metrics/main'

/**
 * Counts and times every request (`keyward_http_requests_total`,
 * `keyward_http_request_duration_seconds`), by method, route pattern (or
 * `unmatched`) and final status. It runs first, so the time covers every
 * other middleware, and the status is the one sent: the error handler has
 * answered by the time `next()` returns. Only registered while metrics are
 * on (start/kernel.ts).
 */
export default class HttpMetricsMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const startedAt = performance.now()
    try {
      await next()
    } finally {
      metrics.observeRequest(
        ctx.request.method(),
        ctx.route?.pattern,
        ctx.response.getStatus(),
        (performance.now() - startedAt) / 1000
      )
    }
  }
}
