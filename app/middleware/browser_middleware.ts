import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import SessionMiddleware from '@adonisjs/session/session_middleware'
import ShieldMiddleware from '@adonisjs/shield/shield_middleware'
import { isClientApiRequest } from '#support/client_api'

/**
 * The browser layers (session, then Shield's CSRF check and security
 * headers) for every request except the client API's. Client programs
 * authenticate with API keys, not cookies: they need no CSRF token, and a
 * heartbeat must not pay a session store write on every response.
 */
@inject()
export default class BrowserMiddleware {
  constructor(
    protected sessions: SessionMiddleware<any>,
    protected shield: ShieldMiddleware
  ) {}

  handle(ctx: HttpContext, next: NextFn) {
    // The health check must answer while Redis (the session store) is down.
    if (isClientApiRequest(ctx) || ctx.request.url() === '/health') return next()
    return this.sessions.handle(ctx, () => this.shield.handle(ctx, next))
  }
}
