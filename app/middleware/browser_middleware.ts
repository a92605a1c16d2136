import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import SessionMiddleware from '@adonisjs/session/session_middleware'
import ShieldMiddleware from '@adonisjs/shield/shield_middleware'
import InitializeAuthMiddleware from '@adonisjs/auth/initialize_auth_middleware'
import { isClientApiRequest } from '#support/client_api'

/**
 * The browser layers (session, Shield's CSRF check and security headers,
 * the auth guard) for every request except the client API's and the health
 * check. Client programs authenticate with API keys, not cookies: they need
 * no CSRF token, and a heartbeat must not pay for a session store write nor
 * for building these layers. They are resolved only when needed, since
 * Shield is built anew for each request.
 */
export default class BrowserMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (isClientApiRequest(ctx) || ctx.request.url() === '/health') return next()
    const resolver = ctx.containerResolver
    const [sessions, shield, auth] = await Promise.all([
      resolver.make(SessionMiddleware),
      resolver.make(ShieldMiddleware),
      resolver.make(InitializeAuthMiddleware),
    ])
    return sessions.handle(ctx, () => shield.handle(ctx, () => auth.handle(ctx, next)))
  }
}
