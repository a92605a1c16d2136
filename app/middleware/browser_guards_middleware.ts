import app from '@adonisjs/core/services/app'
import edge from 'edge.js'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { ShieldConfig } from '@adonisjs/shield/types'
import { csrfFactory } from '@adonisjs/shield/guards'
import InitializeAuthMiddleware from '@adonisjs/auth/initialize_auth_middleware'
import { isBrowserRequest } from '#support/browser_requests'

type Guard = ReturnType<typeof csrfFactory>
let csrfGuard: Promise<Guard> | undefined

/** Shield's CSRF check, built once; the security headers are set for every response elsewhere. */
function csrf() {
  csrfGuard ??= app.container
    .make('encryption')
    .then((encryption) =>
      csrfFactory(app.config.get<ShieldConfig>('shield').csrf, encryption.use(), edge)
    )
  return csrfGuard
}

/**
 * For browser requests, after the session: Shield's CSRF check on forms
 * (which also gives pages their `csrfField()`), then the auth guard.
 */
export default class BrowserGuardsMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (!isBrowserRequest(ctx)) return next()
    await (
      await csrf()
    )(ctx)
    const auth = await ctx.containerResolver.make(InitializeAuthMiddleware)
    return auth.handle(ctx, next)
  }
}
