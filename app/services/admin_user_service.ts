import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import AdminUser, { type AdminRole, type PanelLocale } from '#models/admin_user'
import AuditTrail from '#services/audit_trail'
import type { Actor } from '#support/actor'

export class AdminRuleError extends Error {
  constructor(readonly reason: 'email_taken' | 'last_owner' | 'self') {
    super(reason)
  }
}

const view = (admin: AdminUser) => ({
  email: admin.email,
  full_name: admin.fullName,
  role: admin.role,
  locale: admin.locale,
  two_factor: admin.twoFactorEnabled,
})

/**
 * Creating and changing admin users. The rules: emails are unique; there
 * is always at least one owner (the last owner cannot be demoted or
 * deleted); nobody deletes or demotes themselves by accident.
 */
export default class AdminUserService {
  static async create(
    input: {
      email: string
      password: string
      role: AdminRole
      fullName?: string | null
      locale?: PanelLocale
    },
    actor: Actor
  ) {
    const email = input.email.trim().toLowerCase()
    return db.transaction(async (trx) => {
      const taken = await AdminUser.query({ client: trx }).where('email', email).first()
      if (taken) throw new AdminRuleError('email_taken')
      const admin = await AdminUser.create(
        {
          email,
          password: input.password,
          role: input.role,
          fullName: input.fullName ?? null,
          locale: input.locale ?? 'en',
        },
        { client: trx }
      )
      await AuditTrail.record(trx, actor, {
        action: 'admin.created',
        subjectType: 'admin_user',
        subjectId: admin.id,
        after: view(admin),
      })
      return admin
    })
  }

  /** Locks the owners so two demotions racing cannot remove the last. */
  protected static async ownersBesides(trx: TransactionClientContract, id: number) {
    const owners = await trx
      .from('admin_users')
      .where('role', 'owner')
      .whereNot('id', id)
      .forUpdate()
      .select('id')
    return owners.length
  }

  static async update(
    admin: AdminUser,
    changes: { fullName?: string | null; role?: AdminRole },
    actor: Actor
  ) {
    return db.transaction(async (trx) => {
      const before = view(admin)
      if (changes.role && changes.role !== 'owner' && admin.role === 'owner') {
        if (actor.id === admin.id) throw new AdminRuleError('self')
        if ((await this.ownersBesides(trx, admin.id)) === 0) {
          throw new AdminRuleError('last_owner')
        }
      }
      admin.useTransaction(trx)
      if (changes.fullName !== undefined) admin.fullName = changes.fullName
      if (changes.role) admin.role = changes.role
      await admin.save()
      await AuditTrail.record(trx, actor, {
        action: 'admin.updated',
        subjectType: 'admin_user',
        subjectId: admin.id,
        before,
        after: view(admin),
      })
      return admin
    })
  }

  static async delete(admin: AdminUser, actor: Actor) {
    if (actor.id === admin.id) throw new AdminRuleError('self')
    await db.transaction(async (trx) => {
      if (admin.role === 'owner' && (await this.ownersBesides(trx, admin.id)) === 0) {
        throw new AdminRuleError('last_owner')
      }
      await trx.from('admin_users').where('id', admin.id).delete()
      await AuditTrail.record(trx, actor, {
        action: 'admin.deleted',
        subjectType: 'admin_user',
        subjectId: admin.id,
        before: view(admin),
      })
    })
  }

  static async changePassword(admin: AdminUser, password: string, actor: Actor) {
    await db.transaction(async (trx) => {
      admin.useTransaction(trx)
      admin.password = password
      await admin.save()
      await AuditTrail.record(trx, actor, {
        action: 'admin.password_changed',
        subjectType: 'admin_user',
        subjectId: admin.id,
      })
    })
  }

  static async updateProfile(
    admin: AdminUser,
    changes: { fullName?: string | null; locale?: PanelLocale },
    actor: Actor
  ) {
    await db.transaction(async (trx) => {
      const before = view(admin)
      admin.useTransaction(trx)
      if (changes.fullName !== undefined) admin.fullName = changes.fullName
      if (changes.locale) admin.locale = changes.locale
      await admin.save()
      await AuditTrail.record(trx, actor, {
        action: 'admin.profile_updated',
        subjectType: 'admin_user',
        subjectId: admin.id,
        before,
        after: view(admin),
      })
    })
  }
}
