import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import AuditTrail from '#services/audit_trail'
import CustomerService, { CustomerEmailTakenError } from '#services/customer_service'
import { adminIdOf, type Actor } from '#support/actor'
import { inTransaction } from '#support/transaction'

export const STATUSES = ['new', 'contacted', 'qualified', 'won', 'lost'] as const
export type LeadStatus = (typeof STATUSES)[number]
export const ACTIVITY_KINDS = ['call', 'mail', 'meeting'] as const

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

export class LeadRuleError extends Error {
  constructor(
    readonly field: string,
    readonly reason:
      'not_won' | 'already_converted' | 'unknown_owner' | 'unknown_tag' | 'customer_email_taken'
  ) {
    super(`${field}: ${reason}`)
  }
}

const FOREIGN_KEY_VIOLATION = '23503'

/** Writes an activity on an institution's timeline. */
export async function recordActivity(
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

/** The tag ids an institution has, sorted. */
export async function tagsOf(client: QueryClientContract, institutionId: number) {
  const rows = await client
    .from('lead_crm_institution_tags')
    .where('institution_id', institutionId)
    .select('tag_id')
    .orderBy('tag_id')
  return rows.map((row) => Number(row.tag_id))
}

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
export default class InstitutionService {
  static async create(fields: InstitutionFields, actor: Actor, client?: TransactionClientContract) {
    const run = async (trx: TransactionClientContract) => {
      const [row] = await this.guard(() =>
        trx.table('lead_crm_institutions').insert(this.columns(fields)).returning(['id'])
      )
      await this.setTags(trx, row.id, fields.tags)
      await AuditTrail.record(trx, actor, {
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
  static async update(
    id: number,
    fields: InstitutionFields,
    actor: Actor,
    client?: TransactionClientContract
  ) {
    const run = async (trx: TransactionClientContract) => {
      const current = await trx.from('lead_crm_institutions').where('id', id).forUpdate().first()
      if (!current) return null
      const before = snapshot(current, await tagsOf(trx, id))
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
        await recordActivity(trx, id, actor, {
          kind: 'status_change',
          details: { from: before.status, to: fields.status },
        })
      }
      await AuditTrail.record(trx, actor, {
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
  static async destroy(id: number, actor: Actor) {
    return db.transaction(async (trx) => {
      const current = await trx.from('lead_crm_institutions').where('id', id).forUpdate().first()
      if (!current) return false
      const contacts = await trx
        .from('lead_crm_contacts')
        .where('institution_id', id)
        .count('* as count')
      await trx.from('lead_crm_institutions').where('id', id).delete()
      await AuditTrail.record(trx, actor, {
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
  static async convert(id: number, actor: Actor) {
    return db.transaction(async (trx) => {
      const institution = await trx
        .from('lead_crm_institutions')
        .where('id', id)
        .forUpdate()
        .first()
      if (!institution) return null
      if (institution.customer_id) throw new LeadRuleError('status', 'already_converted')
      if (institution.status !== 'won') throw new LeadRuleError('status', 'not_won')
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
        customer = await CustomerService.create(
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
        if (error instanceof CustomerEmailTakenError) {
          throw new LeadRuleError('customer', 'customer_email_taken')
        }
        throw error
      }
      await trx
        .from('lead_crm_institutions')
        .where('id', id)
        .update({ customer_id: customer.id, updated_at: new Date() })
      await recordActivity(trx, id, actor, {
        kind: 'converted',
        details: { customer_id: customer.id },
      })
      await AuditTrail.record(trx, actor, {
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
  static async logActivity(
    id: number,
    activity: { kind: string; summary: string | null; occurredAt: Date },
    actor: Actor
  ) {
    return db.transaction(async (trx) => {
      const institution = await trx.from('lead_crm_institutions').where('id', id).first()
      if (!institution) return false
      await recordActivity(trx, id, actor, activity)
      await AuditTrail.record(trx, actor, {
        action: 'lead.activity_logged',
        subjectType: 'lead_institution',
        subjectId: id,
        after: { kind: activity.kind, summary: activity.summary, occurred_at: activity.occurredAt },
      })
      return true
    })
  }

  protected static columns(fields: InstitutionFields) {
    return {
      name: fields.name,
      type: fields.type,
      address: fields.address,
      website: fields.website,
      status: fields.status,
      owner_id: fields.owner_id,
    }
  }

  protected static async setTags(trx: TransactionClientContract, id: number, tags: number[]) {
    await trx.from('lead_crm_institution_tags').where('institution_id', id).delete()
    if (tags.length === 0) return
    await this.guard(() =>
      trx
        .table('lead_crm_institution_tags')
        .insert([...new Set(tags)].map((tagId) => ({ institution_id: id, tag_id: tagId })))
    )
  }

  /** An owner or tag that does not exist (any more) is the form's error, not a 500. */
  protected static async guard<T>(write: () => Promise<T>): Promise<T> {
    try {
      return await write()
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string }
      if (code === FOREIGN_KEY_VIOLATION && constraint?.includes('owner')) {
        throw new LeadRuleError('owner_id', 'unknown_owner')
      }
      if (code === FOREIGN_KEY_VIOLATION && constraint?.includes('tag')) {
        throw new LeadRuleError('tags', 'unknown_tag')
      }
      throw error
    }
  }
}
