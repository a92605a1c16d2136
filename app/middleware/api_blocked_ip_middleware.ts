import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { ApiError } from '#exceptions/api_error'
import { BlockedIpCache } from '#services/security/blocked_ip_cache'
import { isClientApiRequest } from '#support/client_api'

/**
 * Refuses client API requests from blocked addresses (`403 IP_BLOCKED`),
 * before the rate limit and the API key: a blocked caller costs no Redis
 * counter and no key lookup. The list is this process' copy in memory
 * (BlockedIpCache), kept fresh from Redis and the database.
 */
@inject()
export default class ApiBlockedIpMiddleware {
  constructor(protected blocked: BlockedIpCache) {}

  async handle(ctx: HttpContext, next: NextFn) {
    if (!isClientApiRequest(ctx)) return next()
    if (await this.blocked.isBlocked(ctx.request.ip())) throw new ApiError('IP_BLOCKED')
    return next()
  }
}
