import app from '@adonisjs/core/services/app'
import limiter from '@adonisjs/limiter/services/main'
import redis from '@adonisjs/redis/services/main'
import { errors as limiterErrors } from '@adonisjs/limiter'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { RateLimit } from '#support/rate_limit'
import { isClientApiRequest } from '#support/client_api'

/**
 * Limits client API requests per client IP (API.md), every request under
 * `/api` included: unknown paths and malformed bodies count too. The counters live in
 * Redis, so the limit holds across server processes. If Redis is away the
 * request goes through and the outage is logged: a licensing server that
 * refuses paying customers because a counter store is down is worse than
 * one that briefly does not count.
 */
const UNAVAILABLE = new Set(['reconnecting', 'close', 'end'])

export default class ApiRateLimitMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const rateLimit = app.config.get<RateLimit>('api.rateLimit')
    if (!rateLimit || !isClientApiRequest(ctx)) return next()

    /**
     * While Redis is known to be away, do not make every request wait for
     * a command that will fail.
     */
    if (UNAVAILABLE.has(redis.connection().status)) {
      ctx.logger.warn('rate limiter unavailable (Redis is not connected); request not counted')
      return next()
    }

    const ipLimiter = limiter.use({
      requests: rateLimit.requests,
      duration: rateLimit.durationSeconds,
    })
    try {
      await ipLimiter.consume(`api_ip_${ctx.request.ip()}`)
    } catch (error) {
      if (error instanceof limiterErrors.E_TOO_MANY_REQUESTS) throw error
      ctx.logger.warn({ err: error }, 'rate limiter unavailable; request not counted')
    }
    return next()
  }
}
