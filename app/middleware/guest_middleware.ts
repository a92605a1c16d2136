import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'

/**
 * Pages for people not logged in (the login form): a logged-in admin goes
 * to the dashboard instead.
 */
export default class GuestMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (await ctx.auth.use('web').check()) {
      return ctx.response.redirect().withQs().toRoute('admin.dashboard.show')
    }
    return next()
  }
}
