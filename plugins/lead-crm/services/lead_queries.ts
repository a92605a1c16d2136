import db from '@adonisjs/lucid/services/db'
import { likePattern } from '#support/panel_list'
import { STATUSES } from './institution_service.js'

/** The overview's filters as `readListState` reads them (the export uses the same). */
export const LEAD_FILTERS = {
  status: STATUSES,
  tag: /^\d{1,9}$/,
  owner: /^(\d{1,9}|none)$/,
}

export interface LeadFilters {
  q?: string
  status?: string
  tag?: string
  owner?: string
}

/**
 * Institutions matching the overview's filters: status, tag id, owner id
 * (or `none`), and free text over the institution's name, type and
 * address, its contacts' names and emails, and its notes.
 */
export function filteredInstitutions(filters: LeadFilters) {
  const query = db.from('lead_crm_institutions as i')
  if (filters.status) query.where('i.status', filters.status)
  if (filters.owner === 'none') query.whereNull('i.owner_id')
  else if (filters.owner) query.where('i.owner_id', Number(filters.owner))
  if (filters.tag) {
    query.whereExists((sub) =>
      sub
        .from('lead_crm_institution_tags as it')
        .whereRaw('it.institution_id = i.id')
        .where('it.tag_id', Number(filters.tag))
        .select(db.raw('1'))
    )
  }
  if (filters.q) {
    const pattern = likePattern(filters.q)
    query.where((where) =>
      where
        .whereILike('i.name', pattern)
        .orWhereILike('i.type', pattern)
        .orWhereILike('i.address', pattern)
        .orWhereExists((sub) =>
          sub
            .from('lead_crm_contacts as c')
            .whereRaw('c.institution_id = i.id')
            .where((contact) =>
              contact.whereILike('c.name', pattern).orWhereILike('c.email', pattern)
            )
            .select(db.raw('1'))
        )
        .orWhereExists((sub) =>
          sub
            .from('lead_crm_notes as n')
            .whereRaw('n.institution_id = i.id')
            .whereILike('n.body', pattern)
            .select(db.raw('1'))
        )
    )
  }
  return query
}

/** Tags per institution, for a page of rows. */
export async function tagsByInstitution(ids: number[]) {
  const byId = new Map<number, { id: number; name: string; color: string }[]>()
  if (ids.length === 0) return byId
  const rows = await db
    .from('lead_crm_institution_tags as it')
    .join('lead_crm_tags as t', 't.id', 'it.tag_id')
    .whereIn('it.institution_id', ids)
    .select('it.institution_id', 't.id', 't.name', 't.color')
    .orderByRaw('lower(t.name)')
  for (const row of rows) {
    const list = byId.get(row.institution_id) ?? []
    list.push({ id: row.id, name: row.name, color: row.color })
    byId.set(row.institution_id, list)
  }
  return byId
}
