import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { adminActor } from '#plugin_host/api'
import { NOTIFICATION_TYPES } from '../services/catalogue.js'
import { EmailSubscriptions } from '../services/email_subscriptions.js'
import { Mailer } from '../services/mailer.js'
import { subscriptionsValidator } from '../validators.js'

/** An admin's own e-mail notifications. */
@inject()
export default class EmailController {
  constructor(
    protected subscriptions: EmailSubscriptions,
    protected mailer: Mailer
  ) {}

  async show({ view, auth }: HttpContext) {
    return view.render('notifications::email', {
      types: NOTIFICATION_TYPES,
      subscribed: await this.subscriptions.of(auth.user!.id),
      mailEnabled: this.mailer.enabled,
    })
  }

  async update(ctx: HttpContext) {
    const { events } = await ctx.request.validateUsing(subscriptionsValidator)
    await this.subscriptions.replace(ctx.auth.user!.id, events ?? [], adminActor(ctx))
    ctx.session.flash('success', ctx.i18n.t('notifications.saved'))
    return ctx.response.redirect('/admin/notifications/email')
  }
}
