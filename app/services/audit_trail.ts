import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import AuditLog from '#models/audit_log'
import type { Actor } from '#support/actor'

export type AuditEntry = {
  action: string
  subjectType?: string | null
  subjectId?: string | number | null
  before?: Record<string, unknown> | null
  after?: Record<string, unknown> | null
}

/**
 * Writes audit rows. It only accepts a transaction: an audit row is written
 * together with the change it describes, or not at all.
 */
export default class AuditTrail {
  async record(trx: TransactionClientContract, actor: Actor, entry: AuditEntry) {
    await AuditLog.create(
      {
        actorType: actor.type,
        actorId: actor.id === undefined || actor.id === null ? null : String(actor.id),
        actorLabel: actor.label ?? null,
        ip: actor.ip ?? null,
        action: entry.action,
        subjectType: entry.subjectType ?? null,
        subjectId:
          entry.subjectId === undefined || entry.subjectId === null
            ? null
            : String(entry.subjectId),
        before: entry.before ?? null,
        after: entry.after ?? null,
      },
      { client: trx }
    )
  }
}
