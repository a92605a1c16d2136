import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import {
  AuditTrail,
  CustomerService,
  DomainError,
  adminIdOf,
  inTransaction,
  type Actor,
} from '#plugin_host/api'
import type { LeadStatus } from './constants.js'
import LeadQueries from './lead_queries.js'

/** An institution as forms and imports give it (column names). */
export interface InstitutionFields {
  name: string
  type: string | null
  address: string | null
  website: string | null
  status: LeadStatus
  owner_id: number | null
  /** Tag ids. */
  tags: number[]
}

export const INSTITUTION_COLUMNS = [
  'name',
  'type',
  'address',
  'website',
  'status',
  'owner_id',
] as const

/**
 * The lead CRM's refusals, each a `DomainError` whose code is the reason
 * and whose message is `lead_crm.errors.<code>`: beside the form's field,
 * or (conversions) as the page's error.
 */
const refusal = (code: string, field?: string) =>
  new DomainError(code, { field, messageKey: `lead_crm.errors.${code}` })

const FOREIGN_KEY_VIOLATION = '23503'

function snapshot(row: Record<string, any>, tags: number[]) {
  const fields: Record<string, unknown> = {}
  for (const column of INSTITUTION_COLUMNS) fields[column] = row[column] ?? null
  return { ...fields, tags } as unknown as InstitutionFields
}

const sameTags = (a: number[], b: number[]) =>
  a.length === b.length && [...a].sort().every((id, i) => id === [...b].sort()[i])

/**
 * Institutions: creating, changing (a status change is written to the
 * timeline by itself), deleting and converting into a customer. Every
 * change writes its audit row in the same transaction.
 */
@inject()
export default class InstitutionService {
  constructor(
    protected audit: AuditTrail,
    protected customers: CustomerService,
    protected queries: LeadQueries
  ) {}

  async create(fields: InstitutionFields, actor: Actor, client?: TransactionClientContract) {
    const run = async (trx: TransactionClientContract) => {
      const [row] = await this.guard(() =>
        trx.table('lead_crm_institutions').insert(this.columns(fields)).returning(['id'])
      )
      await this.setTags(trx, row.id, fields.tags)
      await this.audit.record(trx, actor, {
        action: 'lead.institution_created',
        subjectType: 'lead_institution',
        subjectId: row.id,
        after: { ...fields },
      })
      return row.id as number
    }
    return inTransaction(client, run)
  }

  /**
   * Saves an institution. Returns the fields that changed (none: nothing
   * written), or null when there is no such institution.
   */
  async update(
    id: number,
    fields: InstitutionFields,
    actor: Actor,
    client?: TransactionClientContract
  ) {
    const run = async (trx: TransactionClientContract) => {
      const current = await trx.from('lead_crm_institutions').where('id', id).forUpdate().first()
      if (!current) return null
      const before = snapshot(current, await this.queries.tagIds(id, trx))
      const changed = (Object.keys(fields) as (keyof InstitutionFields)[]).filter((key) =>
        key === 'tags'
          ? !sameTags(before.tags, fields.tags)
          : (before[key] ?? null) !== (fields[key] ?? null)
      )
      if (changed.length === 0) return changed
      await this.guard(() =>
        trx
          .from('lead_crm_institutions')
          .where('id', id)
          .update({ ...this.columns(fields), updated_at: new Date() })
      )
      if (changed.includes('tags')) await this.setTags(trx, id, fields.tags)
      if (changed.includes('status')) {
        await this.recordActivity(trx, id, actor, {
          kind: 'status_change',
          details: { from: before.status, to: fields.status },
        })
      }
      await this.audit.record(trx, actor, {
        action: 'lead.institution_updated',
        subjectType: 'lead_institution',
        subjectId: id,
        before: Object.fromEntries(changed.map((key) => [key, before[key]])),
        after: Object.fromEntries(changed.map((key) => [key, fields[key]])),
      })
      return changed
    }
    return inTransaction(client, run)
  }

  /** Deletes an institution with its contacts, notes and timeline. */
  async destroy(id: number, actor: Actor) {
    return db.transaction(async (trx) => {
      const current = await trx.from('lead_crm_institutions').where('id', id).forUpdate().first()
      if (!current) return false
      const contacts = await trx
        .from('lead_crm_contacts')
        .where('institution_id', id)
        .count('* as count')
      await trx.from('lead_crm_institutions').where('id', id).delete()
      await this.audit.record(trx, actor, {
        action: 'lead.institution_deleted',
        subjectType: 'lead_institution',
        subjectId: id,
        before: { ...snapshot(current, []), contacts: Number(contacts[0].count) },
      })
      return true
    })
  }

  /**
   * Turns a won institution into a platform customer, linked both ways
   * (the institution names the customer; the customer's page links back).
   * The customer gets the institution's name and its first contact's email
   * (unless another customer has it).
   */
  async convert(id: number, actor: Actor) {
    return db.transaction(async (trx) => {
      const institution = await trx
        .from('lead_crm_institutions')
        .where('id', id)
        .forUpdate()
        .first()
      if (!institution) return null
      if (institution.customer_id) throw refusal('already_converted')
      if (institution.status !== 'won') throw refusal('not_won')
      const contact = await trx
        .from('lead_crm_contacts')
        .where('institution_id', id)
        .whereNotNull('email')
        .orderBy('id')
        .first()
      const emailTaken = contact
        ? await trx.from('customers').whereRaw('lower(email) = lower(?)', [contact.email]).first()
        : null
      let customer
      try {
        customer = await this.customers.create(
          {
            name: institution.name,
            company: institution.name,
            email: emailTaken ? null : (contact?.email?.toLowerCase() ?? null),
            notes: contact ? `${contact.name}${contact.role ? `, ${contact.role}` : ''}` : null,
          },
          actor,
          trx
        )
      } catch (error) {
        if (DomainError.is(error, 'email_taken')) throw refusal('customer_email_taken')
        throw error
      }
      await trx
        .from('lead_crm_institutions')
        .where('id', id)
        .update({ customer_id: customer.id, updated_at: new Date() })
      await this.recordActivity(trx, id, actor, {
        kind: 'converted',
        details: { customer_id: customer.id },
      })
      await this.audit.record(trx, actor, {
        action: 'lead.institution_converted',
        subjectType: 'lead_institution',
        subjectId: id,
        before: { customer_id: null },
        after: { customer_id: customer.id },
      })
      return customer
    })
  }

  /** Logs a call, mail or meeting on the timeline. */
  async logActivity(
    id: number,
    activity: { kind: string; summary: string | null; occurredAt: Date },
    actor: Actor
  ) {
    return db.transaction(async (trx) => {
      const institution = await trx.from('lead_crm_institutions').where('id', id).first()
      if (!institution) return false
      await this.recordActivity(trx, id, actor, activity)
      await this.audit.record(trx, actor, {
        action: 'lead.activity_logged',
        subjectType: 'lead_institution',
        subjectId: id,
        after: { kind: activity.kind, summary: activity.summary, occurred_at: activity.occurredAt },
      })
      return true
    })
  }

  /** Writes an activity on an institution's timeline. */
  protected async recordActivity(
    trx: TransactionClientContract,
    institutionId: number,
    actor: Actor,
    activity: {
      kind: string
      summary?: string | null
      details?: Record<string, unknown>
      occurredAt?: Date
    }
  ) {
    await trx.table('lead_crm_activities').insert({
      institution_id: institutionId,
      kind: activity.kind,
      summary: activity.summary ?? null,
      details: JSON.stringify(activity.details ?? {}),
      occurred_at: activity.occurredAt ?? new Date(),
      actor_id: adminIdOf(actor),
      actor_label: actor.label ?? null,
    })
  }

  protected columns(fields: InstitutionFields) {
    return {
      name: fields.name,
      type: fields.type,
      address: fields.address,
      website: fields.website,
      status: fields.status,
      owner_id: fields.owner_id,
    }
  }

  protected async setTags(trx: TransactionClientContract, id: number, tags: number[]) {
    await trx.from('lead_crm_institution_tags').where('institution_id', id).delete()
    if (tags.length === 0) return
    await this.guard(() =>
      trx
        .table('lead_crm_institution_tags')
        .insert([...new Set(tags)].map((tagId) => ({ institution_id: id, tag_id: tagId })))
    )
  }

  /** An owner or tag that does not exist (any more) is the form's error, not a 500. */
  protected async guard<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write()
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string }
      if (code === FOREIGN_KEY_VIOLATION && constraint?.includes('owner')) {
        throw refusal('unknown_owner', 'owner_id')
      }
      if (code === FOREIGN_KEY_VIOLATION && constraint?.includes('tag')) {
        throw refusal('unknown_tag', 'tags')
      }
      throw error
    }
  }
}
