import app from '@adonisjs/core/services/app'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { ShieldConfig } from '@adonisjs/shield/types'
import { cspFactory, frameGuardFactory, hstsFactory, noSniffFactory } from '@adonisjs/shield/guards'
import { isClientApiRequest } from '#support/client_api'

type Guard = (ctx: HttpContext) => unknown

/** JSON never needs to load or embed anything: the strictest policy there is. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'"

let guards: { pages: Guard[]; always: Guard[]; hsts: Guard } | undefined

function guardsFromConfig() {
  if (guards) return guards
  const config = app.config.get<ShieldConfig>('shield')
  guards = {
    pages: [cspFactory(config.csp)],
    always: [frameGuardFactory(config.xFrame), noSniffFactory(config.contentTypeSniffing)],
    hsts: hstsFactory(config.hsts),
  }
  return guards
}

/**
 * Shield's security headers on every response of the app, set before
 * anything else runs: panel pages, error pages of unknown paths, assets and
 * the client API alike (config/shield.ts). Pages get the panel's
 * Content-Security-Policy with a nonce; the API a fixed `default-src 'none'`.
 *
 * HSTS is sent only over HTTPS: on plain HTTP it means nothing to a browser,
 * and a proxy that ends TLS says so with `X-Forwarded-Proto`, which is
 * believed from the proxies in `TRUST_PROXY` only.
 */
export default class SecurityHeadersMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const { pages, always, hsts } = guardsFromConfig()
    for (const guard of always) guard(ctx)
    if (isClientApiRequest(ctx)) {
      ctx.response.header('Content-Security-Policy', API_POLICY)
    } else {
      for (const guard of pages) await guard(ctx)
    }
    if (ctx.request.secure()) hsts(ctx)
    return next()
  }
}
