import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * Owner-only actions: force-ending sessions, revoking API keys, managing
 * admins. Runs after `panel`, so an admin is logged in.
 */
export default class OwnerMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (ctx.auth.user?.role !== 'owner') {
      // A middleware's return value is not the response: send the page itself.
      ctx.response.status(403).send(await ctx.view.render('pages/errors/forbidden', {}))
      return
    }
    return next()
  }
}
