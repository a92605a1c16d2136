import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { AuditTrail, inTransaction, type Actor } from '#plugin_host/api'

export interface ContactFields {
  name: string
  role: string | null
  email: string | null
  phone: string | null
}

export const CONTACT_COLUMNS = ['name', 'role', 'email', 'phone'] as const

/** An institution's contact persons, each change audited. */
@inject()
export default class ContactService {
  constructor(protected audit: AuditTrail) {}

  async create(
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
      await this.audit.record(trx, actor, {
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
  async update(
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
      await this.audit.record(trx, actor, {
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

  async destroy(institutionId: number, contactId: number, actor: Actor) {
    return db.transaction(async (trx) => {
      const current = await trx
        .from('lead_crm_contacts')
        .where({ id: contactId, institution_id: institutionId })
        .forUpdate()
        .first()
      if (!current) return false
      await trx.from('lead_crm_contacts').where('id', contactId).delete()
      await this.audit.record(trx, actor, {
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
