import type { HttpContext } from '@adonisjs/core/http'

/**
 * Whether a request is addressed to the client API (`/api/…`), whose
 * contract (API.md) decides keys, limits and the error format.
 */
export function isClientApiRequest(ctx: HttpContext) {
  const url = ctx.request.url()
  return url === '/api' || url.startsWith('/api/')
}

/**
 * The largest body the client API accepts, in bytes (64 KiB).
 */
export const MAX_CLIENT_API_BODY = 64 * 1024
