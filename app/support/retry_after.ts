import type { HttpContext } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import { ApiError } from '#exceptions/api_error'

/**
 * Runs `work`; a refusal of it that says when to come back (`retry_at`, as
 * the transfer terms' 429s do) says it as `Retry-After` too, in whole
 * seconds from `now` (the request's clock).
 */
export async function withRetryAfter<Result>(
  ctx: HttpContext,
  now: DateTime,
  work: () => Promise<Result>
): Promise<Result> {
  try {
    return await work()
  } catch (error) {
    const retryAt = error instanceof ApiError ? error.extra.retry_at : undefined
    if (typeof retryAt === 'string') {
      const seconds = Math.ceil(DateTime.fromISO(retryAt).diff(now).as('seconds'))
      ctx.response.header('Retry-After', String(Math.max(seconds, 1)))
    }
    throw error
  }
}
