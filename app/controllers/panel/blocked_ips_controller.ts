import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import BlockedIpService from '#services/blocked_ip_service'
import { adminActor } from '#support/actor'
import { redirectWithRefusal } from '#support/panel_refusals'
import { blockedIpValidator, readBlockedIpList } from '#validators/panel_auth'

/**
 * The addresses and networks refused at the panel's door.
 */
@inject()
export default class BlockedIpsController {
  constructor(protected blockedIps: BlockedIpService) {}

  async index({ view, request }: HttpContext) {
    const list = await readBlockedIpList(request)
    return view.render('pages/blocked_ips/index', {
      list,
      page: await this.blockedIps.page(list),
      yourIp: request.ip(),
    })
  }

  async store(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(blockedIpValidator)
    try {
      await this.blockedIps.block(
        { network: input.network, reason: input.reason, createdBy: ctx.auth.user?.email ?? null },
        ctx.request.ip(),
        adminActor(ctx)
      )
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.blocked_ips.index'))
    }
    ctx.session.flash('success', ctx.i18n.t('panel.blocked_ips.created'))
    return ctx.response.redirect().toRoute('admin.blocked_ips.index')
  }

  async destroy(ctx: HttpContext) {
    await this.blockedIps.unblock(ctx.params.id, adminActor(ctx))
    ctx.session.flash('success', ctx.i18n.t('panel.blocked_ips.deleted'))
    return ctx.response.redirect().toRoute('admin.blocked_ips.index')
  }
}
