import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import db from '@adonisjs/lucid/services/db'

/**
 * Refuses the panel (login included) to addresses on the blocked list. The
 * list holds networks, so one row can block a whole range.
 */
export default class BlockedIpMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const blocked = await db
      .from('blocked_ips')
      .whereRaw('network >>= ?::inet', [ctx.request.ip()])
      .first()
    if (blocked) {
      ctx.response.status(403)
      return ctx.view.render('pages/errors/blocked', {})
    }
    return next()
  }
}
