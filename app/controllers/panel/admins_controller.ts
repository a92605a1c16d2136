import type { HttpContext } from '@adonisjs/core/http'
import AdminUser from '#models/admin_user'
import AdminUserService, { AdminRuleError } from '#services/admin_user_service'
import TwoFactorService from '#services/two_factor_service'
import { adminActor } from '#support/actor'
import { likePattern, paginate, readListState } from '#support/panel_list'
import { adminCreateValidator, adminUpdateValidator } from '#validators/panel_auth'
import app from '@adonisjs/core/services/app'

/**
 * Owners manage the panel's admins (the routes carry the `owner` middleware).
 */
export default class AdminsController {
  async index({ view, request }: HttpContext) {
    const list = await readListState(request, {
      sortable: ['email', 'role', 'last_login_at', 'created_at'] as const,
      defaultSort: 'email',
      defaultDir: 'asc',
      filters: { role: ['admin', 'owner'] },
    })
    const query = AdminUser.query().orderBy(list.sort, list.dir).orderBy('id')
    if (list.q) {
      query.where((where) =>
        where
          .whereILike('email', likePattern(list.q))
          .orWhereILike('full_name', likePattern(list.q))
      )
    }
    if (list.filters.role) query.where('role', list.filters.role)
    return view.render('pages/admins/index', { list, page: await paginate(query, list) })
  }

  async create({ view }: HttpContext) {
    return view.render('pages/admins/form', { subject: null })
  }

  async store(ctx: HttpContext) {
    const { request, response, session, i18n } = ctx
    const input = await request.validateUsing(adminCreateValidator)
    try {
      await AdminUserService.create(
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
      return this.refused(ctx, error, '/admin/admins/new')
    }
    session.flash('success', i18n.t('panel.admins.created'))
    return response.redirect('/admin/admins')
  }

  async edit({ view, params }: HttpContext) {
    const subject = await AdminUser.findOrFail(params.id)
    return view.render('pages/admins/form', { subject })
  }

  async update(ctx: HttpContext) {
    const { request, response, session, i18n, params } = ctx
    const subject = await AdminUser.findOrFail(params.id)
    const input = await request.validateUsing(adminUpdateValidator)
    try {
      await AdminUserService.update(
        subject,
        { fullName: input.full_name ?? null, role: input.role },
        adminActor(ctx)
      )
    } catch (error) {
      return this.refused(ctx, error, `/admin/admins/${subject.id}/edit`)
    }
    session.flash('success', i18n.t('panel.admins.updated'))
    return response.redirect('/admin/admins')
  }

  async destroy(ctx: HttpContext) {
    const subject = await AdminUser.findOrFail(ctx.params.id)
    try {
      await AdminUserService.delete(subject, adminActor(ctx))
    } catch (error) {
      return this.refused(ctx, error, '/admin/admins')
    }
    ctx.session.flash('success', ctx.i18n.t('panel.admins.deleted'))
    return ctx.response.redirect('/admin/admins')
  }

  /** For an admin who lost their authenticator: they enrol again. */
  async resetTwoFactor(ctx: HttpContext) {
    const subject = await AdminUser.findOrFail(ctx.params.id)
    const twoFactor = await app.container.make(TwoFactorService)
    await twoFactor.disable(subject, adminActor(ctx))
    ctx.session.flash('success', ctx.i18n.t('panel.admins.two_factor_reset'))
    return ctx.response.redirect('/admin/admins')
  }

  protected refused({ session, response, i18n }: HttpContext, error: unknown, back: string) {
    if (!(error instanceof AdminRuleError)) throw error
    if (error.reason === 'email_taken') {
      session.flashAll()
      session.flashErrors({ email: i18n.t('panel.admins.email_taken') })
    } else {
      session.flash('error', i18n.t(`panel.admins.refused_${error.reason}`))
    }
    return response.redirect(back)
  }
}
