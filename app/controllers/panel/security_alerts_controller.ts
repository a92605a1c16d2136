import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import SecurityAlerts from '#services/security/security_alerts'
import SecurityLists from '#services/security/security_lists'
import { adminActor } from '#support/actor'
import { redirectWithRefusal } from '#support/panel_refusals'
import {
  ALERT_STATUSES,
  RULE_NAMES,
  alertActionValidator,
  readAlertList,
} from '#validators/panel_security'

/**
 * The detectors' alerts: the list with its filters, an alert with its
 * evidence, and what an admin does about it (acknowledge, resolve, block
 * the address, suspend the license, end its sessions, undo an action).
 */
@inject()
export default class SecurityAlertsController {
  constructor(
    protected lists: SecurityLists,
    protected alerts: SecurityAlerts
  ) {}

  async index({ view, request }: HttpContext) {
    const list = await readAlertList(request)
    return view.render('pages/security/alerts', {
      list,
      page: await this.lists.alerts(list),
      products: await this.lists.products(),
      statuses: ALERT_STATUSES,
      rules: RULE_NAMES,
    })
  }

  async show({ view, params }: HttpContext) {
    return view.render('pages/security/alert', await this.lists.alert(Number(params.id)))
  }

  async acknowledge(ctx: HttpContext) {
    return this.setStatus(ctx, 'acknowledged')
  }

  async resolve(ctx: HttpContext) {
    return this.setStatus(ctx, 'resolved')
  }

  protected async setStatus(ctx: HttpContext, status: 'acknowledged' | 'resolved') {
    const id = Number(ctx.params.id)
    const changed = await this.alerts.setStatus(id, status, adminActor(ctx))
    if (changed) ctx.session.flash('success', ctx.i18n.t(`security.alerts.${status}_done`))
    return ctx.response.redirect(urlFor('admin.security_alerts.show', { id }))
  }

  /** Ending sessions is for owners, as on the sessions page; the route checks it. */
  async act(ctx: HttpContext) {
    const id = Number(ctx.params.id)
    const { action } = await ctx.request.validateUsing(alertActionValidator)
    const back = urlFor('admin.security_alerts.show', { id })
    if (action === 'end_sessions' && !ctx.auth.user?.isOwner) {
      ctx.session.flash('error', ctx.i18n.t('security.alerts.owner_only'))
      return ctx.response.redirect(back)
    }
    try {
      await this.alerts.act(id, action, adminActor(ctx))
    } catch (error) {
      return redirectWithRefusal(ctx, error, back)
    }
    ctx.session.flash('success', ctx.i18n.t(`security.actions.${action}_done`))
    return ctx.response.redirect(back)
  }

  async reverse(ctx: HttpContext) {
    const id = Number(ctx.params.id)
    const back = urlFor('admin.security_alerts.show', { id })
    try {
      await this.alerts.reverse(Number(ctx.params.action), adminActor(ctx), id)
    } catch (error) {
      return redirectWithRefusal(ctx, error, back)
    }
    ctx.session.flash('success', ctx.i18n.t('security.alerts.reversed'))
    return ctx.response.redirect(back)
  }
}
