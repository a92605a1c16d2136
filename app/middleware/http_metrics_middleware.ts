import { performance } from 'node:perf_hooks'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import router from '@adonisjs/core/services/router'
import metrics from '#services/metrics/main'

/**
 * Counts and times every request (`keyward_http_requests_total`,
 * `keyward_http_request_duration_seconds`), by method, route pattern (or
 * `unmatched`) and final status. It runs first, so the time covers every
 * other middleware, and the status is the one sent: the error handler has
 * answered by the time `next()` returns. Only registered while metrics are
 * on (start/kernel.ts).
 */

/**
 * The route pattern of a request: the matched route's, or, for a request a
 * server middleware answered before routing (a missing API key, the rate
 * limit, an oversized body), the pattern it was addressed to.
 */
function patternOf(ctx: HttpContext) {
  if (ctx.route) return ctx.route.pattern
  return router.match(ctx.request.url(), ctx.request.method(), false)?.route.pattern
}

export default class HttpMetricsMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const startedAt = performance.now()
    try {
      await next()
    } finally {
      metrics.observeRequest(
        ctx.request.method(),
        patternOf(ctx),
        ctx.response.getStatus(),
        (performance.now() - startedAt) / 1000
      )
    }
  }
}
