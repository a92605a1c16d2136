import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import AdminList from '#services/admin_list'
import AdminUserService from '#services/admin_user_service'
import TwoFactorService from '#services/two_factor_service'
import { adminActor } from '#support/actor'
import { redirectWithRefusal } from '#support/panel_refusals'
import { adminCreateValidator, adminUpdateValidator, readAdminList } from '#validators/panel_auth'

/**
 * Owners manage the panel's admins (the routes carry the `owner` middleware).
 */
@inject()
export default class AdminsController {
  constructor(
    protected admins: AdminUserService,
    protected adminList: AdminList,
    protected twoFactor: TwoFactorService
  ) {}

  async index({ view, request }: HttpContext) {
    const list = await readAdminList(request)
    return view.render('pages/admins/index', { list, page: await this.adminList.page(list) })
  }

  async create({ view }: HttpContext) {
    return view.render('pages/admins/form', { subject: null })
  }

  async store(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(adminCreateValidator)
    try {
      await this.admins.create(
        {
          email: input.email,
          password: input.password,
          role: input.role,
          fullName: input.full_name ?? null,
          locale: input.locale,
        },
        adminActor(ctx)
      )
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.admins.create'))
    }
    ctx.session.flash('success', ctx.i18n.t('panel.admins.created'))
    return ctx.response.redirect().toRoute('admin.admins.index')
  }

  async edit({ view, params }: HttpContext) {
    const subject = await this.admins.find(params.id)
    return view.render('pages/admins/form', { subject })
  }

  async update(ctx: HttpContext) {
    const subject = await this.admins.find(ctx.params.id)
    const input = await ctx.request.validateUsing(adminUpdateValidator)
    try {
      await this.admins.update(
        subject,
        { fullName: input.full_name ?? null, role: input.role },
        adminActor(ctx)
      )
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.admins.edit', { id: subject.id }))
    }
    ctx.session.flash('success', ctx.i18n.t('panel.admins.updated'))
    return ctx.response.redirect().toRoute('admin.admins.index')
  }

  async destroy(ctx: HttpContext) {
    const subject = await this.admins.find(ctx.params.id)
    try {
      await this.admins.delete(subject, adminActor(ctx))
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.admins.index'))
    }
    ctx.session.flash('success', ctx.i18n.t('panel.admins.deleted'))
    return ctx.response.redirect().toRoute('admin.admins.index')
  }

  /** For an admin who lost their authenticator: they enrol again. */
  async resetTwoFactor(ctx: HttpContext) {
    const subject = await this.admins.find(ctx.params.id)
    await this.twoFactor.disable(subject, adminActor(ctx))
    ctx.session.flash('success', ctx.i18n.t('panel.admins.two_factor_reset'))
    return ctx.response.redirect().toRoute('admin.admins.index')
  }
}
