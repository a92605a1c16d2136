import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import AuditTrail from '#services/audit_trail'
import type { Actor } from '#support/actor'
import { inTransaction } from '#support/transaction'

export interface ContactFields {
  name: string
  role: string | null
  email: string | null
  phone: string | null
}

export const CONTACT_COLUMNS = ['name', 'role', 'email', 'phone'] as const

/** An institution's contact persons, each change audited. */
export default class ContactService {
  static async create(
    institutionId: number,
    fields: ContactFields,
    actor: Actor,
    client?: TransactionClientContract
  ) {
    const run = async (trx: TransactionClientContract) => {
      const [row] = await trx
        .table('lead_crm_contacts')
        .insert({ institution_id: institutionId, ...fields })
        .returning(['id'])
      await AuditTrail.record(trx, actor, {
        action: 'lead.contact_created',
        subjectType: 'lead_institution',
        subjectId: institutionId,
        after: { contact_id: row.id, ...fields },
      })
      return row.id as number
    }
    return inTransaction(client, run)
  }

  /** @returns the changed fields, or null when the contact is not the institution's. */
  static async update(
    institutionId: number,
    contactId: number,
    fields: ContactFields,
    actor: Actor,
    client?: TransactionClientContract
  ) {
    const run = async (trx: TransactionClientContract) => {
      const current = await trx
        .from('lead_crm_contacts')
        .where({ id: contactId, institution_id: institutionId })
        .forUpdate()
        .first()
      if (!current) return null
      const changed = CONTACT_COLUMNS.filter((key) => (current[key] ?? null) !== fields[key])
      if (changed.length === 0) return changed
      await trx
        .from('lead_crm_contacts')
        .where('id', contactId)
        .update({ ...fields, updated_at: new Date() })
      await AuditTrail.record(trx, actor, {
        action: 'lead.contact_updated',
        subjectType: 'lead_institution',
        subjectId: institutionId,
        before: {
          contact_id: contactId,
          ...Object.fromEntries(changed.map((k) => [k, current[k]])),
        },
        after: { contact_id: contactId, ...Object.fromEntries(changed.map((k) => [k, fields[k]])) },
      })
      return changed
    }
    return inTransaction(client, run)
  }

  static async destroy(institutionId: number, contactId: number, actor: Actor) {
    return db.transaction(async (trx) => {
      const current = await trx
        .from('lead_crm_contacts')
        .where({ id: contactId, institution_id: institutionId })
        .forUpdate()
        .first()
      if (!current) return false
      await trx.from('lead_crm_contacts').where('id', contactId).delete()
      await AuditTrail.record(trx, actor, {
        action: 'lead.contact_deleted',
        subjectType: 'lead_institution',
        subjectId: institutionId,
        before: {
          contact_id: contactId,
          ...Object.fromEntries(CONTACT_COLUMNS.map((k) => [k, current[k]])),
        },
      })
      return true
    })
  }
}
