import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * Owner-only actions: force-ending sessions, revoking API keys, managing
 * admins. Runs after `panel`, so an admin is logged in.
 */
export default class OwnerMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (ctx.auth.user?.role !== 'owner') {
      ctx.response.status(403)
      return ctx.view.render('pages/errors/forbidden', {})
    }
    return next()
  }
}
