import type { HttpContext } from '@adonisjs/core/http'
import { isClientApiRequest } from '#support/client_api'

/** Probes and scrapes: machines that send no cookies and need no panel session. */
const MACHINE_PATHS = new Set(['/health', '/health/ready', '/metrics'])

/**
 * Whether a request is a browser's: everything but the client API, the
 * health checks and the metrics. Only browser requests get a panel session, a CSRF check and
 * the auth guard. Client programs authenticate with API keys, not cookies:
 * they need no CSRF token, and a heartbeat must not pay for a session.
 */
export function isBrowserRequest(ctx: HttpContext) {
  return !isClientApiRequest(ctx) && !MACHINE_PATHS.has(ctx.request.url())
}
