import db from '@adonisjs/lucid/services/db'
import AuditTrail from '#services/audit_trail'
import type { Actor } from '#support/actor'

export class TagNameTakenError extends Error {
  constructor() {
    super('A tag with this name exists')
  }
}

const isNameTaken = (error: unknown) =>
  (error as { constraint?: string })?.constraint === 'lead_crm_tags_name_unique'

/** Tags (names unique whatever the case) with a colour, each change audited. */
export default class TagService {
  static async create(fields: { name: string; color: string }, actor: Actor) {
    try {
      return await db.transaction(async (trx) => {
        const [row] = await trx.table('lead_crm_tags').insert(fields).returning(['id'])
        await AuditTrail.record(trx, actor, {
          action: 'lead.tag_created',
          subjectType: 'lead_tag',
          subjectId: row.id,
          after: fields,
        })
        return row.id as number
      })
    } catch (error) {
      if (isNameTaken(error)) throw new TagNameTakenError()
      throw error
    }
  }

  static async update(id: number, fields: { name: string; color: string }, actor: Actor) {
    try {
      return await db.transaction(async (trx) => {
        const current = await trx.from('lead_crm_tags').where('id', id).forUpdate().first()
        if (!current) return false
        if (current.name === fields.name && current.color === fields.color) return true
        await trx
          .from('lead_crm_tags')
          .where('id', id)
          .update({ ...fields, updated_at: new Date() })
        await AuditTrail.record(trx, actor, {
          action: 'lead.tag_updated',
          subjectType: 'lead_tag',
          subjectId: id,
          before: { name: current.name, color: current.color },
          after: fields,
        })
        return true
      })
    } catch (error) {
      if (isNameTaken(error)) throw new TagNameTakenError()
      throw error
    }
  }

  static async destroy(id: number, actor: Actor) {
    return db.transaction(async (trx) => {
      const current = await trx.from('lead_crm_tags').where('id', id).forUpdate().first()
      if (!current) return false
      await trx.from('lead_crm_tags').where('id', id).delete()
      await AuditTrail.record(trx, actor, {
        action: 'lead.tag_deleted',
        subjectType: 'lead_tag',
        subjectId: id,
        before: { name: current.name, color: current.color },
      })
      return true
    })
  }

  static all() {
    return db.from('lead_crm_tags').select('id', 'name', 'color').orderByRaw('lower(name)')
  }
}
