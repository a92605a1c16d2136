import { inject } from '@adonisjs/core'
import hash from '@adonisjs/core/services/hash'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DomainError } from '#exceptions/domain_error'
import AdminUser, { type AdminRole, type PanelLocale } from '#models/admin_user'
import AuditTrail from '#services/audit_trail'
import type { Actor } from '#support/actor'

/**
 * The refusals of the admin rules, as `DomainError`s: `email_taken` (beside
 * the email field), `last_owner` and `self` (for the whole action).
 */
export const adminRefusals = {
  emailTaken: () =>
    new DomainError('email_taken', { field: 'email', messageKey: 'panel.admins.email_taken' }),
  lastOwner: () => new DomainError('last_owner', { messageKey: 'panel.admins.refused_last_owner' }),
  self: () => new DomainError('self', { messageKey: 'panel.admins.refused_self' }),
  /** Beside the current password only: a password is never flashed back into the form. */
  wrongPassword: () =>
    new DomainError('wrong_password', {
      field: 'current_password',
      messageKey: 'panel.account.wrong_password',
    }),
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
@inject()
export default class AdminUserService {
  constructor(protected audit: AuditTrail) {}

  /** The admin with this id (404 when there is none). */
  async find(id: number | string) {
    return AdminUser.findOrFail(id)
  }

  async create(
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
      if (taken) throw adminRefusals.emailTaken()
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
      await this.audit.record(trx, actor, {
        action: 'admin.created',
        subjectType: 'admin_user',
        subjectId: admin.id,
        after: view(admin),
      })
      return admin
    })
  }

  /** Locks the owners so two demotions racing cannot remove the last. */
  protected async ownersBesides(trx: TransactionClientContract, id: number) {
    const owners = await trx
      .from('admin_users')
      .where('role', 'owner')
      .whereNot('id', id)
      .forUpdate()
      .select('id')
    return owners.length
  }

  async update(
    admin: AdminUser,
    changes: { fullName?: string | null; role?: AdminRole },
    actor: Actor
  ) {
    return db.transaction(async (trx) => {
      const before = view(admin)
      if (changes.role && changes.role !== 'owner' && admin.role === 'owner') {
        if (actor.id === admin.id) throw adminRefusals.self()
        if ((await this.ownersBesides(trx, admin.id)) === 0) throw adminRefusals.lastOwner()
      }
      admin.useTransaction(trx)
      if (changes.fullName !== undefined) admin.fullName = changes.fullName
      if (changes.role) admin.role = changes.role
      await admin.save()
      await this.audit.record(trx, actor, {
        action: 'admin.updated',
        subjectType: 'admin_user',
        subjectId: admin.id,
        before,
        after: view(admin),
      })
      return admin
    })
  }

  async delete(admin: AdminUser, actor: Actor) {
    if (actor.id === admin.id) throw adminRefusals.self()
    await db.transaction(async (trx) => {
      if (admin.role === 'owner' && (await this.ownersBesides(trx, admin.id)) === 0) {
        throw adminRefusals.lastOwner()
      }
      await trx.from('admin_users').where('id', admin.id).delete()
      await this.audit.record(trx, actor, {
        action: 'admin.deleted',
        subjectType: 'admin_user',
        subjectId: admin.id,
        before: view(admin),
      })
    })
  }

  /** Changes the password once the current one is confirmed (`wrong_password` otherwise). */
  async changePassword(
    admin: AdminUser,
    input: { currentPassword: string; password: string },
    actor: Actor
  ) {
    if (!(await hash.verify(admin.password, input.currentPassword))) {
      throw adminRefusals.wrongPassword()
    }
    await db.transaction(async (trx) => {
      admin.useTransaction(trx)
      admin.password = input.password
      await admin.save()
      await this.audit.record(trx, actor, {
        action: 'admin.password_changed',
        subjectType: 'admin_user',
        subjectId: admin.id,
      })
    })
  }

  async updateProfile(
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
      await this.audit.record(trx, actor, {
        action: 'admin.profile_updated',
        subjectType: 'admin_user',
        subjectId: admin.id,
        before,
        after: view(admin),
      })
    })
  }
}
