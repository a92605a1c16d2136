import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import panelConfig from '#config/panel'
import { DomainError } from '#exceptions/domain_error'
import PanelLoginService from '#services/panel_login_service'
import { Clock } from '#support/clock'
import { adminActor } from '#support/actor'
import { loginValidator, secondFactorValidator } from '#validators/panel_auth'

const PENDING = 'login.pending'
type Pending = { adminId: number; since: number }

/**
 * Login in two steps: password, then (when enrolled) a TOTP code or a
 * recovery code. Between the steps the session holds only the admin's id;
 * the guard logs in after the second factor, never before.
 */
@inject()
export default class AuthController {
  constructor(
    protected logins: PanelLoginService,
    protected clock: Clock
  ) {}

  async showLogin({ view }: HttpContext) {
    return view.render('pages/auth/login')
  }

  async login(ctx: HttpContext) {
    const { request, response, session, auth, i18n } = ctx
    const { email, password } = await request.validateUsing(loginValidator)
    try {
      const admin = await this.logins.checkPassword(email, password, request.ip())
      if (!admin) {
        session.flashExcept(['password'])
        session.flash('error', i18n.t('panel.auth.invalid_credentials'))
        return response.redirect().toRoute('admin.auth.show_login')
      }
      if (admin.twoFactorEnabled) {
        await session.regenerate()
        session.put(PENDING, { adminId: admin.id, since: this.clock.now().toMillis() })
        return response.redirect().toRoute('admin.auth.show_second_factor')
      }
      await this.logins.succeeded(admin, request.ip(), 'none')
      await auth.use('web').login(admin)
      return response.redirect().toIntendedRoute('admin.dashboard.show')
    } catch (error) {
      return this.lockedOut(ctx, error)
    }
  }

  protected async pendingAdmin({ session }: HttpContext) {
    const pending = session.get(PENDING) as Pending | undefined
    const window = panelConfig.login.secondFactorWindowSeconds * 1000
    if (!pending || this.clock.now().toMillis() - pending.since > window) return null
    return this.logins.pendingAdmin(pending.adminId)
  }

  async showSecondFactor(ctx: HttpContext) {
    if (!(await this.pendingAdmin(ctx)))
      return ctx.response.redirect().toRoute('admin.auth.show_login')
    return ctx.view.render('pages/auth/two_factor')
  }

  async secondFactor(ctx: HttpContext) {
    const { request, response, session, auth, i18n } = ctx
    const admin = await this.pendingAdmin(ctx)
    if (!admin) {
      session.forget(PENDING)
      session.flash('error', i18n.t('panel.auth.second_factor_expired'))
      return response.redirect().toRoute('admin.auth.show_login')
    }
    const { code } = await request.validateUsing(secondFactorValidator)
    try {
      const used = await this.logins.checkSecondFactor(admin, code, request.ip())
      if (!used) {
        session.flash('error', i18n.t('panel.auth.invalid_code'))
        return response.redirect().toRoute('admin.auth.show_second_factor')
      }
      session.forget(PENDING)
      await this.logins.succeeded(admin, request.ip(), used)
      await auth.use('web').login(admin)
      if (used === 'recovery_code') {
        session.flash('success', i18n.t('panel.auth.recovery_code_used'))
      }
      return response.redirect().toIntendedRoute('admin.dashboard.show')
    } catch (error) {
      session.forget(PENDING)
      return this.lockedOut(ctx, error)
    }
  }

  /** A lockout answers 429 with the login form and how long to wait. */
  protected lockedOut({ view, response, i18n }: HttpContext, error: unknown) {
    if (!DomainError.is(error, 'login_locked')) throw error
    response.status(429).header('Retry-After', String(error.data.retryAfterSeconds))
    return view.render('pages/auth/login', { notice: i18n.t(error.messageKey, error.data) })
  }

  async logout(ctx: HttpContext) {
    await ctx.auth.check()
    const admin = ctx.auth.user
    if (admin) await this.logins.loggedOut(admin, adminActor(ctx))
    await ctx.auth.use('web').logout()
    ctx.session.forget(PENDING)
    return ctx.response.redirect().toRoute('admin.auth.show_login')
  }
}
