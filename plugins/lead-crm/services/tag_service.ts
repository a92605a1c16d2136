import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { AuditTrail, DomainError, type Actor } from '#plugin_host/api'

/** Another tag has this name (whatever the case): shown beside the name field. */
const nameTaken = () =>
  new DomainError('tag_name_taken', { field: 'name', messageKey: 'lead_crm.errors.tag_name_taken' })

const isNameTaken = (error: unknown) =>
  (error as { constraint?: string })?.constraint === 'lead_crm_tags_name_unique'

/**
 * Tags (names unique whatever the case) with a colour, each change audited.
 * Reading them is LeadQueries' (`tags`, `tagsWithUsage`).
 */
@inject()
export default class TagService {
  constructor(protected audit: AuditTrail) {}

  async create(fields: { name: string; color: string }, actor: Actor) {
    try {
      return await db.transaction(async (trx) => {
        const [row] = await trx.table('lead_crm_tags').insert(fields).returning(['id'])
        await this.audit.record(trx, actor, {
          action: 'lead.tag_created',
          subjectType: 'lead_tag',
          subjectId: row.id,
          after: fields,
        })
        return row.id as number
      })
    } catch (error) {
      if (isNameTaken(error)) throw nameTaken()
      throw error
    }
  }

  async update(id: number, fields: { name: string; color: string }, actor: Actor) {
    try {
      return await db.transaction(async (trx) => {
        const current = await trx.from('lead_crm_tags').where('id', id).forUpdate().first()
        if (!current) return false
        if (current.name === fields.name && current.color === fields.color) return true
        await trx
          .from('lead_crm_tags')
          .where('id', id)
          .update({ ...fields, updated_at: new Date() })
        await this.audit.record(trx, actor, {
          action: 'lead.tag_updated',
          subjectType: 'lead_tag',
          subjectId: id,
          before: { name: current.name, color: current.color },
          after: fields,
        })
        return true
      })
    } catch (error) {
      if (isNameTaken(error)) throw nameTaken()
      throw error
    }
  }

  async destroy(id: number, actor: Actor) {
    return db.transaction(async (trx) => {
      const current = await trx.from('lead_crm_tags').where('id', id).forUpdate().first()
      if (!current) return false
      await trx.from('lead_crm_tags').where('id', id).delete()
      await this.audit.record(trx, actor, {
        action: 'lead.tag_deleted',
        subjectType: 'lead_tag',
        subjectId: id,
        before: { name: current.name, color: current.color },
      })
      return true
    })
  }
}
