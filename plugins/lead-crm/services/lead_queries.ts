import db from '@adonisjs/lucid/services/db'
import { errors as lucidErrors } from '@adonisjs/lucid'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { likePattern, paginate, type ListState } from '#plugin_host/api'
import { ACTIVITY_KINDS, STATUSES } from './constants.js'

/** The overview's filters as `readListState` reads them (the export uses the same). */
export const LEAD_FILTERS = {
  status: STATUSES,
  tag: /^\d{1,9}$/,
  owner: /^(\d{1,9}|none)$/,
}

/** The overview's sortable columns, as SQL. */
export const LEAD_SORTS = {
  name: 'lower(i.name)',
  status: 'i.status',
  updated_at: 'i.updated_at',
  created_at: 'i.created_at',
} as const

export type LeadSort = keyof typeof LEAD_SORTS

export interface LeadFilters {
  q?: string
  status?: string
  tag?: string
  owner?: string
}

export type TagBadge = { id: number; name: string; color: string }

const notFound = () => new lucidErrors.E_ROW_NOT_FOUND()

/**
 * What the lead CRM's pages read: the overview with its filters, an
 * institution with its records, a note's versions, the forms' choices.
 * Changes go through the services (InstitutionService, NoteService, …).
 */
export default class LeadQueries {
  /**
   * Institutions matching the overview's filters: status, tag id, owner id
   * (or `none`), and free text over the institution's name, type and
   * address, its contacts' names and emails, and its notes.
   */
  filtered(filters: LeadFilters) {
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

  /** The overview: a page of institutions with owner, contact count and tags, and the filters' choices. */
  async overview(list: ListState & { sort: LeadSort }) {
    const query = this.filtered({ q: list.q, ...list.filters })
      .leftJoin('admin_users as a', 'a.id', 'i.owner_id')
      .select(
        'i.id',
        'i.name',
        'i.type',
        'i.status',
        'i.customer_id',
        'i.updated_at',
        'a.email as owner_email',
        db.raw(
          '(SELECT count(*) FROM lead_crm_contacts c WHERE c.institution_id = i.id) AS contacts'
        )
      )
      .orderByRaw(`${LEAD_SORTS[list.sort]} ${list.dir}`)
      .orderBy('i.id', list.dir)
    const page = await paginate<any>(query, list)
    const tags = await this.tagsByInstitution(page.rows.map((row) => row.id))
    return {
      page: { ...page, rows: page.rows.map((row) => ({ ...row, tags: tags.get(row.id) ?? [] })) },
      ...(await this.formChoices()),
    }
  }

  /** What the forms and filters offer: admins (as owners), tags and statuses. */
  async formChoices() {
    const [owners, tags] = await Promise.all([
      db.from('admin_users').select('id', 'email', 'full_name').orderBy('email'),
      this.tags(),
    ])
    return { owners, tags, statuses: STATUSES }
  }

  /** Every tag, by name whatever the case. */
  tags() {
    return db.from('lead_crm_tags').select('id', 'name', 'color').orderByRaw('lower(name)')
  }

  /** Every tag with the number of institutions that have it. */
  tagsWithUsage() {
    return db
      .from('lead_crm_tags as t')
      .leftJoin('lead_crm_institution_tags as it', 'it.tag_id', 't.id')
      .groupBy('t.id')
      .select('t.id', 't.name', 't.color')
      .count('it.institution_id as institutions')
      .orderByRaw('lower(t.name)')
  }

  /** An institution with its owner's email; a missing one is a 404. */
  async find(id: unknown) {
    const institution = await db
      .from('lead_crm_institutions as i')
      .leftJoin('admin_users as a', 'a.id', 'i.owner_id')
      .where('i.id', Number(id))
      .select('i.*', 'a.email as owner_email')
      .first()
    if (!institution) throw notFound()
    return institution
  }

  /** The id of an existing institution; a missing one is a 404. */
  async existingId(id: unknown) {
    const row = await db.from('lead_crm_institutions').where('id', Number(id)).first()
    if (!row) throw notFound()
    return row.id as number
  }

  /** An institution's page: its contacts, notes, timeline, tags and customer. */
  async institutionPage(id: unknown) {
    const institution = await this.find(id)
    const [contacts, notes, activities, tags, customer] = await Promise.all([
      db.from('lead_crm_contacts').where('institution_id', institution.id).orderBy('id'),
      db
        .from('lead_crm_notes')
        .where('institution_id', institution.id)
        .orderBy('updated_at', 'desc')
        .orderBy('id', 'desc'),
      db
        .from('lead_crm_activities')
        .where('institution_id', institution.id)
        .orderBy('occurred_at', 'desc')
        .orderBy('id', 'desc')
        .limit(200),
      this.tagsByInstitution([institution.id]),
      institution.customer_id
        ? db.from('customers').where('id', institution.customer_id).select('id', 'name').first()
        : null,
    ])
    return {
      institution,
      contacts,
      notes,
      activities,
      tags: tags.get(institution.id) ?? [],
      customer,
      activityKinds: ACTIVITY_KINDS,
    }
  }

  /** The edit form: the institution, its tag ids and the form's choices. */
  async editForm(id: unknown) {
    const institution = await this.find(id)
    return {
      institution,
      selectedTags: await this.tagIds(institution.id),
      ...(await this.formChoices()),
    }
  }

  /** The delete page: the institution and what goes with it. */
  async deletion(id: unknown) {
    const institution = await this.find(id)
    const [counts] = await db
      .rawQuery(
        `SELECT (SELECT count(*) FROM lead_crm_contacts WHERE institution_id = ?) AS contacts,
              (SELECT count(*) FROM lead_crm_notes WHERE institution_id = ?) AS notes,
              (SELECT count(*) FROM lead_crm_activities WHERE institution_id = ?) AS activities`,
        [institution.id, institution.id, institution.id]
      )
      .then((result) => result.rows)
    return { institution, counts }
  }

  /** A note of the institution with every version, newest first; a missing one is a 404. */
  async noteHistory(institutionId: unknown, noteId: unknown) {
    const id = await this.existingId(institutionId)
    const note = await db
      .from('lead_crm_notes')
      .where({ id: Number(noteId), institution_id: id })
      .first()
    if (!note) throw notFound()
    const institution = await db.from('lead_crm_institutions').where('id', id).first()
    const versions = await db
      .from('lead_crm_note_versions')
      .where('note_id', note.id)
      .orderBy('version', 'desc')
    return { institution, note, versions }
  }

  /** The tag ids an institution has, sorted (in the caller's transaction when given). */
  async tagIds(institutionId: number, client: QueryClientContract = db.connection()) {
    const rows = await client
      .from('lead_crm_institution_tags')
      .where('institution_id', institutionId)
      .select('tag_id')
      .orderBy('tag_id')
    return rows.map((row) => Number(row.tag_id))
  }

  /** Tags per institution, for a page of rows. */
  async tagsByInstitution(ids: number[]) {
    const byId = new Map<number, TagBadge[]>()
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

  /** The institutions a customer was converted from (its page links back to them). */
  convertedInto(customerId: number) {
    return db.from('lead_crm_institutions').where('customer_id', customerId).select('id', 'name')
  }
}
