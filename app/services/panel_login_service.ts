import { inject } from '@adonisjs/core'
import hash from '@adonisjs/core/services/hash'
import db from '@adonisjs/lucid/services/db'
import limiter from '@adonisjs/limiter/services/main'
import { errors as authErrors } from '@adonisjs/auth'
import panelConfig from '#config/panel'
import { DomainError } from '#exceptions/domain_error'
import AdminUser from '#models/admin_user'
import AuditTrail from '#services/audit_trail'
import TwoFactorService from '#services/two_factor_service'
import metrics from '#services/metrics/main'
import { Clock } from '#support/clock'
import type { Actor } from '#support/actor'
import { SecurityEventRecorder } from '#services/security/security_event_recorder'

export type SecondFactor = 'none' | 'totp' | 'recovery_code'

/**
 * Too many failed attempts: `login_locked`, with the seconds to wait
 * (`retryAfterSeconds`) and the minutes the message shows.
 */
export function loginLocked(retryAfterSeconds: number) {
  metrics.rateLimited('panel_login')
  return new DomainError('login_locked', {
    messageKey: 'panel.auth.locked_out',
    data: { minutes: Math.max(1, Math.ceil(retryAfterSeconds / 60)), retryAfterSeconds },
  })
}

/**
 * The rules of logging in to the panel: password, then the second factor,
 * with a lockout after repeated failures.
 *
 * Failures are counted in Redis (so every web process shares them) under two
 * keys: email + IP address (`maxAttempts`, 5 by default) and the IP address
 * alone (`maxAttemptsPerIp`, 20). Wrong second-factor codes count like wrong passwords,
 * and a correct password does not reset the count while its second factor is
 * still owed, so nobody can interleave correct passwords with code guesses.
 */
@inject()
export default class PanelLoginService {
  constructor(
    protected clock: Clock,
    protected twoFactor: TwoFactorService,
    protected audit: AuditTrail,
    protected securityEvents: SecurityEventRecorder
  ) {}

  protected limiters() {
    const { maxAttempts, maxAttemptsPerIp, lockout } = panelConfig.login
    return {
      account: limiter.use({ requests: maxAttempts, duration: lockout }),
      address: limiter.use({ requests: maxAttemptsPerIp, duration: lockout }),
    }
  }

  protected keys(email: string, ip: string) {
    return {
      account: `panel_login:${email.trim().toLowerCase()}:${ip}`,
      address: `panel_login_ip:${ip}`,
    }
  }

  /** Refuses with `login_locked` while either key is locked. */
  async assertNotLocked(email: string, ip: string) {
    const { account, address } = this.limiters()
    const keys = this.keys(email, ip)
    for (const [store, key] of [
      [account, keys.account],
      [address, keys.address],
    ] as const) {
      if (await store.isBlocked(key)) {
        this.recordSecurityEvent('panel_login_failed', email, ip, 'locked')
        throw loginLocked(await store.availableIn(key))
      }
    }
  }

  protected async recordFailure(email: string, ip: string, reason: string, admin?: AdminUser) {
    const { account, address } = this.limiters()
    const keys = this.keys(email, ip)
    let lockedOut = false
    for (const [store, key] of [
      [account, keys.account],
      [address, keys.address],
    ] as const) {
      const response = await store.increment(key)
      if (response.remaining <= 0) {
        await store.block(key, panelConfig.login.lockout)
        lockedOut = true
      }
    }
    await db.transaction(async (trx) => {
      await this.audit.record(trx, this.actor(ip, admin, email), {
        action: lockedOut ? 'admin.login_locked_out' : 'admin.login_failed',
        subjectType: admin ? 'admin_user' : null,
        subjectId: admin?.id ?? null,
        after: { email: email.slice(0, 254), reason },
      })
    })
    this.recordSecurityEvent(
      lockedOut ? 'panel_login_locked' : 'panel_login_failed',
      email,
      ip,
      reason
    )
    if (lockedOut) {
      throw loginLocked(await this.limiters().account.availableIn(keys.account))
    }
  }

  /** Failed logins and lockouts are security events too (buffered, not awaited). */
  protected recordSecurityEvent(
    kind: 'panel_login_failed' | 'panel_login_locked',
    email: string,
    ip: string,
    reason: string
  ) {
    this.securityEvents.record({
      kind,
      ip,
      details: { email: email.trim().toLowerCase().slice(0, 254), reason },
    })
  }

  protected actor(ip: string, admin?: AdminUser, email?: string): Actor {
    return { type: 'admin', id: admin?.id ?? null, label: admin?.email ?? email ?? null, ip }
  }

  /**
   * Checks email and password. Returns the admin, who still owes a second
   * factor when `twoFactorEnabled`; returns null for wrong credentials.
   */
  async checkPassword(email: string, password: string, ip: string) {
    await this.assertNotLocked(email, ip)
    try {
      return await AdminUser.verifyCredentials(email.trim().toLowerCase(), password)
    } catch (error) {
      if (!(error instanceof authErrors.E_INVALID_CREDENTIALS)) throw error
      await this.recordFailure(email, ip, 'password')
      return null
    }
  }

  /**
   * Checks the second factor: a TOTP code, or one of the recovery codes.
   * Returns which one was used, or null.
   */
  async checkSecondFactor(admin: AdminUser, code: string, ip: string) {
    await this.assertNotLocked(admin.email, ip)
    const trimmed = code.trim()
    if (/^\d{6}$/.test(trimmed.replace(/\s/g, ''))) {
      if (await this.twoFactor.verifyCode(admin, trimmed)) return 'totp' as const
    } else {
      const remaining = await this.twoFactor.useRecoveryCode(admin, trimmed)
      if (remaining !== null) {
        await db.transaction(async (trx) => {
          await this.audit.record(trx, this.actor(ip, admin), {
            action: 'admin.recovery_code_used',
            subjectType: 'admin_user',
            subjectId: admin.id,
            after: { remaining },
          })
        })
        return 'recovery_code' as const
      }
    }
    await this.recordFailure(admin.email, ip, 'second_factor', admin)
    return null
  }

  /**
   * Asks a logged-in admin to prove it is still them before a grave action
   * (restoring a backup): their current two-factor code when they have
   * two-factor, else their password. A wrong answer counts as a failed
   * login (reason `reauthentication`), so guessing here locks the account
   * out as guessing at the login form would; a lockout refuses at once with
   * `login_locked`. A right answer does not reset the count.
   *
   * @returns what was checked, or null for a wrong answer.
   */
  async reauthenticate(admin: AdminUser, secret: string, ip: string) {
    await this.assertNotLocked(admin.email, ip)
    if (admin.twoFactorEnabled) {
      if (await this.twoFactor.verifyCode(admin, secret)) return 'totp' as const
    } else if (await hash.verify(admin.password, secret)) {
      return 'password' as const
    }
    await this.recordFailure(admin.email, ip, 'reauthentication', admin)
    return null
  }

  /** A completed login: clears the failure count and records it. */
  async succeeded(admin: AdminUser, ip: string, secondFactor: SecondFactor) {
    const { account } = this.limiters()
    await account.delete(this.keys(admin.email, ip).account)
    await db.transaction(async (trx) => {
      admin.useTransaction(trx)
      admin.lastLoginAt = this.clock.now()
      admin.lastLoginIp = ip
      await admin.save()
      await this.audit.record(trx, this.actor(ip, admin), {
        action: 'admin.login',
        subjectType: 'admin_user',
        subjectId: admin.id,
        after: { second_factor: secondFactor },
      })
    })
  }

  /** The admin who passed the password step and still owes a second factor. */
  async pendingAdmin(id: number) {
    return AdminUser.find(id)
  }

  async loggedOut(admin: AdminUser, actor: Actor) {
    await db.transaction((trx) =>
      this.audit.record(trx, actor, {
        action: 'admin.logout',
        subjectType: 'admin_user',
        subjectId: admin.id,
      })
    )
  }
}
