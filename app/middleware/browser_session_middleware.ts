import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import SessionMiddleware from '@adonisjs/session/session_middleware'
import ServiceHealth from '#services/service_health'
import { isBrowserRequest } from '#support/browser_requests'
import { DependencyUnavailableError } from '#support/unavailable'

/**
 * The panel session, for browser requests only. The panel cannot work
 * without Redis (sessions, login lockouts): while it is known to be down,
 * a request is refused at once with the 503 page rather than after waiting
 * for a reconnection.
 *
 * The session is its own step of the router's middleware (not nested inside
 * another one), so that whatever fails later (a CSRF check, a controller) is
 * rendered before the session is committed: its flash messages are kept.
 */
@inject()
export default class BrowserSessionMiddleware {
  constructor(protected health: ServiceHealth) {}

  async handle(ctx: HttpContext, next: NextFn) {
    if (!isBrowserRequest(ctx)) return next()
    if (this.health.isDown('redis')) throw new DependencyUnavailableError('redis')
    const sessions = await ctx.containerResolver.make(SessionMiddleware)
    return sessions.handle(ctx, next)
  }
}
