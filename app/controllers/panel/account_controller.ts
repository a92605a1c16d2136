import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DomainError } from '#exceptions/domain_error'
import AdminUserService from '#services/admin_user_service'
import TwoFactorService from '#services/two_factor_service'
import { adminActor } from '#support/actor'
import {
  localeValidator,
  passwordChangeValidator,
  profileValidator,
  secondFactorValidator,
} from '#validators/panel_auth'

/**
 * The logged-in admin's own settings: name, language, password and
 * two-factor authentication.
 */
@inject()
export default class AccountController {
  constructor(
    protected admins: AdminUserService,
    protected twoFactor: TwoFactorService
  ) {}

  async show({ view, auth }: HttpContext) {
    const admin = auth.getUserOrFail()
    return view.render('pages/account/show', {
      recoveryCodesLeft: await this.twoFactor.remainingRecoveryCodes(admin),
    })
  }

  async update(ctx: HttpContext) {
    const { request, response, session, auth, i18n } = ctx
    const input = await request.validateUsing(profileValidator)
    await this.admins.updateProfile(
      auth.getUserOrFail(),
      { fullName: input.full_name ?? null, locale: input.locale },
      adminActor(ctx)
    )
    session.flash('success', i18n.t('panel.account.saved'))
    return response.redirect().toRoute('admin.account.show')
  }

  async switchLocale(ctx: HttpContext) {
    const { locale } = await ctx.request.validateUsing(localeValidator)
    const admin = ctx.auth.getUserOrFail()
    await this.admins.updateProfile(admin, { locale }, adminActor(ctx))
    return ctx.response.redirect().back()
  }

  async changePassword(ctx: HttpContext) {
    const { request, response, session, auth, i18n } = ctx
    const input = await request.validateUsing(passwordChangeValidator)
    try {
      await this.admins.changePassword(
        auth.getUserOrFail(),
        { currentPassword: input.current_password, password: input.password },
        adminActor(ctx)
      )
    } catch (error) {
      if (!DomainError.is(error, 'wrong_password')) throw error
      // Not redirectWithRefusal: passwords are never flashed back into the form.
      session.flashErrors({ [error.field!]: i18n.t(error.messageKey) })
      return response.redirect().toRoute('admin.account.show')
    }
    session.flash('success', i18n.t('panel.account.password_changed'))
    return response.redirect().toRoute('admin.account.show')
  }

  async showTwoFactor({ view, auth, response }: HttpContext) {
    const enrolment = await this.twoFactor.enrolment(auth.getUserOrFail())
    if (!enrolment) return response.redirect().toRoute('admin.account.show')
    return view.render('pages/account/two_factor', { enrolment })
  }

  /** Confirms enrolment with a code and shows the recovery codes once. */
  async enableTwoFactor(ctx: HttpContext) {
    const { request, response, session, auth, i18n, view } = ctx
    const { code } = await request.validateUsing(secondFactorValidator)
    const codes = await this.twoFactor.confirm(auth.getUserOrFail(), code, adminActor(ctx))
    if (!codes) {
      session.flashErrors({ code: i18n.t('panel.auth.invalid_code') })
      return response.redirect().toRoute('admin.account.show_two_factor')
    }
    return view.render('pages/account/recovery_codes', { codes })
  }

  async regenerateRecoveryCodes(ctx: HttpContext) {
    const { request, response, session, auth, i18n, view } = ctx
    const { code } = await request.validateUsing(secondFactorValidator)
    const admin = auth.getUserOrFail()
    if (!(await this.twoFactor.verifyCode(admin, code))) {
      session.flash('error', i18n.t('panel.auth.invalid_code'))
      return response.redirect().toRoute('admin.account.show')
    }
    const codes = await this.twoFactor.regenerateRecoveryCodes(admin, adminActor(ctx))
    return view.render('pages/account/recovery_codes', { codes })
  }

  async disableTwoFactor(ctx: HttpContext) {
    const { request, response, session, auth, i18n } = ctx
    const { code } = await request.validateUsing(secondFactorValidator)
    const admin = auth.getUserOrFail()
    if (!(await this.twoFactor.verifyCode(admin, code))) {
      session.flash('error', i18n.t('panel.auth.invalid_code'))
      return response.redirect().toRoute('admin.account.show')
    }
    await this.twoFactor.disable(admin, adminActor(ctx))
    session.flash('success', i18n.t('panel.two_factor.disabled'))
    return response.redirect().toRoute('admin.account.show')
  }
}
