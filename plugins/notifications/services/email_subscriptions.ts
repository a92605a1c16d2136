import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { AuditTrail, type Actor } from '#plugin_host/api'
import type { NotificationType } from './catalogue.js'

/** Which notifications an admin gets by e-mail: their own choice, audited. */
@inject()
export class EmailSubscriptions {
  constructor(protected audit: AuditTrail) {}

  async of(adminId: number): Promise<string[]> {
    const rows = await db
      .from('notifications_email_subscriptions')
      .where('admin_user_id', adminId)
      .orderBy('event_type')
      .select('event_type')
    return rows.map((row) => row.event_type)
  }

  /** Replaces the admin's subscriptions; false when nothing changed. */
  async replace(adminId: number, types: NotificationType[], actor: Actor) {
    return db.transaction(async (trx) => {
      // The admin's row serializes two saves of the same admin.
      await trx.from('admin_users').where('id', adminId).forUpdate().first()
      const rows = await trx
        .from('notifications_email_subscriptions')
        .where('admin_user_id', adminId)
        .select('event_type')
      const before = rows.map((row) => row.event_type as string).sort()
      const after = [...new Set(types)].sort()
      if (JSON.stringify(before) === JSON.stringify(after)) return false
      await trx.from('notifications_email_subscriptions').where('admin_user_id', adminId).delete()
      if (after.length > 0) {
        await trx
          .table('notifications_email_subscriptions')
          .insert(after.map((type) => ({ admin_user_id: adminId, event_type: type })))
      }
      await this.audit.record(trx, actor, {
        action: 'notifications.email_subscriptions_changed',
        subjectType: 'admin_user',
        subjectId: adminId,
        before: { events: before },
        after: { events: after },
      })
      return true
    })
  }
}
