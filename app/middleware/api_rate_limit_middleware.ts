import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import ServiceHealth from '#services/service_health'
import metrics from '#services/metrics/main'
import type { RateLimit } from '#support/rate_limit'
import { isClientApiRequest } from '#support/client_api'

/**
 * Limits client API requests per client IP (API.md), every request under
 * `/api` included: unknown paths and malformed bodies count too. The counters
 * live in Redis, so the limit holds across server processes. If Redis is away
 * the request goes through uncounted: a licensing server that refuses paying
 * customers because a counter store is down is worse than one that briefly
 * does not count (docs/decisions/0003-rate-limit-fails-open.md). The outage
 * is logged once by ServiceHealth, not once per request.
 */
@inject()
export default class ApiRateLimitMiddleware {
  constructor(protected health: ServiceHealth) {}

  async handle(ctx: HttpContext, next: NextFn) {
    const rateLimit = app.config.get<RateLimit>('api.rateLimit')
    if (!rateLimit || !isClientApiRequest(ctx)) return next()

    // While Redis is known to be away, do not make the request wait for a command that will fail.
    if (this.health.isDown('redis')) return next()

    const ipLimiter = limiter.use({
      requests: rateLimit.requests,
      duration: rateLimit.durationSeconds,
    })
    try {
      await ipLimiter.consume(`api_ip_${ctx.request.ip()}`)
    } catch (error) {
      if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) {
        metrics.rateLimited('api')
        throw error
      }
      ctx.logger.debug({ err: error }, 'rate limiter unavailable; request not counted')
    }
    return next()
  }
}
