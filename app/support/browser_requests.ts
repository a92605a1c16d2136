import type { HttpContext } from '@adonisjs/core/http'
import { isClientApiRequest } from '#support/client_api'

/**
 * Whether a request is a browser's: everything but the client API and the
 * health check. Only browser requests get a panel session, a CSRF check and
 * the auth guard. Client programs authenticate with API keys, not cookies:
 * they need no CSRF token, and a heartbeat must not pay for a session.
 */
export function isBrowserRequest(ctx: HttpContext) {
  return !isClientApiRequest(ctx) && ctx.request.url() !== '/health'
}
