import vine from '@vinejs/vine'
import { inject } from '@adonisjs/core'
import type { I18n } from '@adonisjs/i18n'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import {
  AuditTrail,
  byLine,
  readCsvRows,
  type Actor,
  LIST_SEPARATOR,
  listItems,
  type ImportProblem,
  type ValidRow,
} from '#plugin_host/api'
import InstitutionService, { type InstitutionFields } from './institution_service.js'
import { STATUSES } from './constants.js'
import ContactService, { type ContactFields } from './contact_service.js'
import LeadQueries, { type LeadFilters } from './lead_queries.js'
import { emailRule, optionalText, websiteRule } from '../validators.js'

/** The export's columns, in order; the import reads the same. */
export const CSV_COLUMNS = [
  'institution_id',
  'name',
  'type',
  'status',
  'address',
  'website',
  'owner_email',
  'tags',
  'contact_id',
  'contact_name',
  'contact_role',
  'contact_email',
  'contact_phone',
] as const

export interface ImportOutcome {
  institutionsCreated: number
  institutionsUpdated: number
  contactsCreated: number
  contactsUpdated: number
  tagsCreated: number
}

const rowValidator = vine.create({
  institution_id: vine.number().withoutDecimals().range([1, 2_147_483_647]).optional(),
  name: vine.string().trim().minLength(1).maxLength(200),
  type: optionalText(60),
  status: vine.enum(STATUSES).optional(),
  address: optionalText(500),
  website: websiteRule().optional(),
  owner_email: emailRule().optional(),
  tags: optionalText(1000),
  contact_id: vine.number().withoutDecimals().range([1, 2_147_483_647]).optional(),
  contact_name: vine
    .string()
    .trim()
    .minLength(1)
    .maxLength(200)
    .optional()
    .requiredIfAnyExists(['contact_id', 'contact_role', 'contact_email', 'contact_phone']),
  contact_role: optionalText(120),
  contact_email: emailRule().optional(),
  contact_phone: optionalText(60),
})

type RowInput = Awaited<ReturnType<typeof rowValidator.validate>>

interface PlannedInstitution {
  id: number | null
  line: number
  fields: Omit<InstitutionFields, 'tags' | 'owner_id'> & { owner_email: string | null }
  tagNames: string[]
  contacts: Array<{ id: number | null; line: number; fields: ContactFields }>
}

/**
 * Institutions with their contacts as CSV: the export of the overview's
 * list, and the import that reads the same columns back.
 */
@inject()
export default class LeadTransfer {
  constructor(
    protected institutions: InstitutionService,
    protected contacts: ContactService,
    protected queries: LeadQueries,
    protected audit: AuditTrail
  ) {}

  /**
   * One row per contact, with its institution's columns repeated; an
   * institution without contacts gets one row with empty contact columns.
   */
  exportQuery(filters: LeadFilters) {
    return this.queries
      .filtered(filters)
      .leftJoin('admin_users as a', 'a.id', 'i.owner_id')
      .leftJoin('lead_crm_contacts as c', 'c.institution_id', 'i.id')
      .select(
        'i.id as institution_id',
        'i.name',
        'i.type',
        'i.status',
        'i.address',
        'i.website',
        'a.email as owner_email',
        db.raw(
          `(SELECT string_agg(t.name, '${LIST_SEPARATOR} ' ORDER BY lower(t.name))
              FROM lead_crm_institution_tags it JOIN lead_crm_tags t ON t.id = it.tag_id
             WHERE it.institution_id = i.id) AS tags`
        ),
        'c.id as contact_id',
        'c.name as contact_name',
        'c.role as contact_role',
        'c.email as contact_email',
        'c.phone as contact_phone'
      )
      .orderBy('i.id')
      .orderBy('c.id')
  }

  /**
   * Imports institutions with their contacts from CSV, all or nothing: every
   * row is checked first (fields, references, agreement between rows of one
   * institution), and one problem anywhere means nothing is written. Rows
   * with an `institution_id` (or `contact_id`) update that record; others
   * create one, rows of one new institution sharing its name. An unchanged
   * record is not written, so importing an export changes nothing.
   */
  async importCsv(
    text: string,
    actor: Actor,
    i18n: I18n
  ): Promise<{ problems: ImportProblem[]; outcome?: ImportOutcome }> {
    const { problems, rows } = await readCsvRows<RowInput>(text, {
      columns: CSV_COLUMNS,
      required: ['name'],
      validator: rowValidator,
      i18n,
    })
    const plan = await this.planImport(rows, problems)
    if (problems.length > 0) return { problems: byLine(problems) }
    const outcome = await db.transaction((trx) => this.applyImport(trx, plan, actor))
    return { problems: [], outcome }
  }

  /** Groups rows by institution and checks what only the database knows. */
  protected async planImport(rows: ValidRow<RowInput>[], problems: ImportProblem[]) {
    const problem = (row: number, field: string, message: string) =>
      problems.push({ row, field, message })

    const idsOf = <T>(values: (T | undefined)[]) => [
      ...new Set(values.filter((value): value is T => value !== undefined)),
    ]
    const institutionIds = idsOf(rows.map((row) => row.institution_id))
    const contactIds = idsOf(rows.map((row) => row.contact_id))
    const ownerEmails = idsOf(rows.map((row) => row.owner_email))
    const [institutionRows, contactRows, adminRows] = await Promise.all([
      db.from('lead_crm_institutions').whereIn('id', institutionIds).select('id'),
      db.from('lead_crm_contacts').whereIn('id', contactIds).select('id', 'institution_id'),
      db.from('admin_users').whereIn('email', ownerEmails).select('email'),
    ])
    const existing = new Set(institutionRows.map((row) => row.id as number))
    const contactOwner = new Map<number, number>(
      contactRows.map((row) => [row.id as number, row.institution_id as number])
    )
    const admins = new Set(adminRows.map((row) => row.email as string))

    const groups = new Map<string, PlannedInstitution>()
    const seenContacts = new Set<number>()
    for (const row of rows) {
      if (row.institution_id && !existing.has(row.institution_id)) {
        problem(row.line, 'institution_id', `no institution has the id ${row.institution_id}`)
        continue
      }
      if (row.owner_email && !admins.has(row.owner_email)) {
        problem(row.line, 'owner_email', `no admin has the email ${row.owner_email}`)
      }
      if (row.contact_id) {
        if (!row.institution_id || contactOwner.get(row.contact_id) !== row.institution_id) {
          problem(row.line, 'contact_id', `contact ${row.contact_id} is not this institution's`)
        } else if (seenContacts.has(row.contact_id)) {
          problem(row.line, 'contact_id', `contact ${row.contact_id} appears twice`)
        }
        seenContacts.add(row.contact_id)
      }
      const tagNames = listItems(row.tags)
      if (tagNames.some((name) => name.length > 60)) {
        problem(row.line, 'tags', 'a tag name has at most 60 characters')
      }
      const fields = {
        name: row.name,
        type: row.type ?? null,
        address: row.address ?? null,
        website: row.website ?? null,
        status: row.status ?? 'new',
        owner_email: row.owner_email ?? null,
      }
      const key = row.institution_id ? `#${row.institution_id}` : `new:${row.name.toLowerCase()}`
      let group = groups.get(key)
      if (!group) {
        group = { id: row.institution_id ?? null, line: row.line, fields, tagNames, contacts: [] }
        groups.set(key, group)
      } else if (
        JSON.stringify(group.fields) !== JSON.stringify(fields) ||
        JSON.stringify([...group.tagNames].sort()) !== JSON.stringify([...tagNames].sort())
      ) {
        problem(row.line, 'name', `differs from line ${group.line} about the same institution`)
      }
      if (row.contact_name) {
        group.contacts.push({
          id: row.contact_id ?? null,
          line: row.line,
          fields: {
            name: row.contact_name,
            role: row.contact_role ?? null,
            email: row.contact_email ?? null,
            phone: row.contact_phone ?? null,
          },
        })
      }
    }
    return [...groups.values()]
  }

  protected async applyImport(
    trx: TransactionClientContract,
    plan: PlannedInstitution[],
    actor: Actor
  ): Promise<ImportOutcome> {
    const outcome: ImportOutcome = {
      institutionsCreated: 0,
      institutionsUpdated: 0,
      contactsCreated: 0,
      contactsUpdated: 0,
      tagsCreated: 0,
    }
    const [tagRows, adminRows] = await Promise.all([
      trx.from('lead_crm_tags').select('id', 'name'),
      trx.from('admin_users').select('id', 'email'),
    ])
    const tagIds = new Map<string, number>(
      tagRows.map((tag) => [String(tag.name).toLowerCase(), tag.id as number])
    )
    const admins = new Map<string, number>(adminRows.map((admin) => [admin.email, admin.id]))
    for (const institution of plan) {
      const tags: number[] = []
      for (const name of institution.tagNames) {
        let id = tagIds.get(name.toLowerCase())
        if (!id) {
          ;[{ id }] = await trx.table('lead_crm_tags').insert({ name }).returning(['id'])
          tagIds.set(name.toLowerCase(), id!)
          outcome.tagsCreated++
        }
        tags.push(id!)
      }
      const { owner_email: ownerEmail, ...columns } = institution.fields
      const fields: InstitutionFields = {
        ...columns,
        owner_id: ownerEmail ? admins.get(ownerEmail)! : null,
        tags: [...new Set(tags)],
      }
      let id = institution.id
      if (id) {
        const changed = await this.institutions.update(id, fields, actor, trx)
        if (changed?.length) outcome.institutionsUpdated++
      } else {
        id = await this.institutions.create(fields, actor, trx)
        outcome.institutionsCreated++
      }
      const present = await trx
        .from('lead_crm_contacts')
        .where('institution_id', id)
        .select('name', 'email')
      for (const contact of institution.contacts) {
        if (contact.id) {
          const changed = await this.contacts.update(id, contact.id, contact.fields, actor, trx)
          if (changed?.length) outcome.contactsUpdated++
          continue
        }
        // A row naming a contact the institution already has (same name and
        // email) is that contact: importing a file twice adds nobody twice.
        const known = present.some(
          (row) =>
            String(row.name).toLowerCase() === contact.fields.name.toLowerCase() &&
            (row.email ?? null) === contact.fields.email
        )
        if (known) continue
        await this.contacts.create(id, contact.fields, actor, trx)
        outcome.contactsCreated++
      }
    }
    const changes = Object.values(outcome).reduce((sum, count) => sum + count, 0)
    if (changes > 0) {
      await this.audit.record(trx, actor, {
        action: 'lead.imported',
        subjectType: 'lead_institution',
        after: { ...outcome },
      })
    }
    return outcome
  }
}
