import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import encryption from '@adonisjs/core/services/encryption'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { Secret, TOTP } from 'otpauth'
import QRCode from 'qrcode'
import { randomInt } from 'node:crypto'
import AdminUser from '#models/admin_user'
import AuditTrail from '#services/audit_trail'
import { Clock } from '#support/clock'
import type { Actor } from '#support/actor'
import { sha256Hex } from '#support/license_keys'

export const TOTP_ISSUER = 'Keyward'
const TOTP_PERIOD_SECONDS = 30
export const RECOVERY_CODE_COUNT = 10

/**
 * 16 symbols from a 32-letter alphabet without look-alikes: 80 bits, so the
 * stored SHA-256 digest cannot be reversed by trying every code.
 */
const RECOVERY_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'

export function generateRecoveryCode() {
  let code = ''
  for (let index = 0; index < 16; index++) {
    if (index > 0 && index % 4 === 0) code += '-'
    code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]
  }
  return code
}

/** Codes are typed by people: ignore case, spaces and dashes. */
export function normalizeRecoveryCode(code: string) {
  const compact = code.toUpperCase().replace(/[\s-]/g, '')
  return compact.match(/.{1,4}/g)?.join('-') ?? ''
}

const hashRecoveryCode = (code: string) => sha256Hex(normalizeRecoveryCode(code))

/**
 * TOTP two-factor authentication (RFC 6238, 6 digits, 30 s) for admins.
 *
 * The secret is stored encrypted with APP_KEY. A code is accepted one step
 * either side of now (clock drift) and only once: the step of the last
 * accepted code is stored, and a code of that step or an earlier one is
 * refused, so a code seen over a shoulder cannot be replayed.
 */
@inject()
export default class TwoFactorService {
  constructor(
    protected clock: Clock,
    protected audit: AuditTrail
  ) {}

  protected totpFor(admin: AdminUser, secret: string) {
    return new TOTP({
      issuer: TOTP_ISSUER,
      label: admin.email,
      algorithm: 'SHA1',
      digits: 6,
      period: TOTP_PERIOD_SECONDS,
      secret: Secret.fromBase32(secret),
    })
  }

  secretOf(admin: AdminUser) {
    return admin.totpSecret ? encryption.decrypt<string>(admin.totpSecret) : null
  }

  /**
   * The pending secret of an admin who is enrolling, created on first use.
   * It does nothing until a code from it is confirmed.
   */
  async pendingSecret(admin: AdminUser) {
    if (admin.twoFactorEnabled) return null
    const existing = this.secretOf(admin)
    if (existing) return existing
    const secret = new Secret({ size: 20 }).base32
    admin.totpSecret = encryption.encrypt(secret)
    admin.totpLastStep = null
    await admin.save()
    return secret
  }

  async enrolment(admin: AdminUser) {
    const secret = await this.pendingSecret(admin)
    if (!secret) return null
    const uri = this.totpFor(admin, secret).toString()
    return { secret, uri, qrCode: await QRCode.toDataURL(uri, { margin: 1, width: 220 }) }
  }

  /**
   * Checks a code and burns its time step. Returns false for a wrong,
   * stale or replayed code.
   */
  async verifyCode(admin: AdminUser, code: string, client?: TransactionClientContract) {
    const secret = this.secretOf(admin)
    const token = code.replace(/\s/g, '')
    if (!secret || !/^\d{6}$/.test(token)) return false
    const timestamp = this.clock.now().toMillis()
    const delta = this.totpFor(admin, secret).validate({ token, timestamp, window: 1 })
    if (delta === null) return false
    const step = Math.floor(timestamp / 1000 / TOTP_PERIOD_SECONDS) + delta
    const burnt = await (client ?? db)
      .from('admin_users')
      .where('id', admin.id)
      .where((query) => query.whereNull('totp_last_step').orWhere('totp_last_step', '<', step))
      .update({ totp_last_step: step })
    admin.totpLastStep = step
    return Number(burnt) === 1
  }

  /**
   * Switches two-factor on after a code from the pending secret was
   * confirmed, and returns ten fresh recovery codes in clear (the only time
   * they exist so).
   */
  async confirm(admin: AdminUser, code: string, actor: Actor) {
    if (admin.twoFactorEnabled) return null
    return db.transaction(async (trx) => {
      if (!(await this.verifyCode(admin, code, trx))) return null
      admin.useTransaction(trx)
      admin.totpEnabledAt = this.clock.now()
      await admin.save()
      const codes = await this.replaceRecoveryCodes(trx, admin)
      await this.audit.record(trx, actor, {
        action: 'admin.two_factor_enabled',
        subjectType: 'admin_user',
        subjectId: admin.id,
        after: { two_factor: true },
      })
      return codes
    })
  }

  async regenerateRecoveryCodes(admin: AdminUser, actor: Actor) {
    return db.transaction(async (trx) => {
      const codes = await this.replaceRecoveryCodes(trx, admin)
      await this.audit.record(trx, actor, {
        action: 'admin.recovery_codes_regenerated',
        subjectType: 'admin_user',
        subjectId: admin.id,
      })
      return codes
    })
  }

  protected async replaceRecoveryCodes(trx: TransactionClientContract, admin: AdminUser) {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode)
    await trx.from('admin_recovery_codes').where('admin_user_id', admin.id).delete()
    await trx.table('admin_recovery_codes').multiInsert(
      codes.map((code) => ({
        admin_user_id: admin.id,
        code_hash: hashRecoveryCode(code),
        created_at: this.clock.now().toJSDate(),
      }))
    )
    return codes
  }

  /**
   * Spends a recovery code. The UPDATE is the check: two requests racing
   * with one code cannot both succeed.
   *
   * @returns the number of codes left, or null when the code was not valid.
   */
  async useRecoveryCode(admin: AdminUser, code: string) {
    if (!admin.twoFactorEnabled || normalizeRecoveryCode(code).length !== 19) return null
    const used = await db
      .from('admin_recovery_codes')
      .where('admin_user_id', admin.id)
      .where('code_hash', hashRecoveryCode(code))
      .whereNull('used_at')
      .update({ used_at: this.clock.now().toJSDate() })
    if (Number(used) !== 1) return null
    return this.remainingRecoveryCodes(admin)
  }

  async remainingRecoveryCodes(admin: AdminUser) {
    const row = await db
      .from('admin_recovery_codes')
      .where('admin_user_id', admin.id)
      .whereNull('used_at')
      .count('* as total')
      .first()
    return Number(row?.total ?? 0)
  }

  /**
   * Switches two-factor off (the admin, with a valid code; or an owner for
   * an admin who lost the device) and forgets the secret and the codes.
   */
  async disable(admin: AdminUser, actor: Actor) {
    await db.transaction(async (trx) => {
      admin.useTransaction(trx)
      admin.totpSecret = null
      admin.totpEnabledAt = null
      admin.totpLastStep = null
      await admin.save()
      await trx.from('admin_recovery_codes').where('admin_user_id', admin.id).delete()
      await this.audit.record(trx, actor, {
        action: 'admin.two_factor_disabled',
        subjectType: 'admin_user',
        subjectId: admin.id,
        before: { two_factor: true },
        after: { two_factor: false },
      })
    })
  }
}
