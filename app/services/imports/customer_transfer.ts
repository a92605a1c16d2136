import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { I18n } from '@adonisjs/i18n'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import AuditTrail from '#services/audit_trail'
import type { Actor } from '#support/actor'
import { Clock } from '#support/clock'
import { customerImportRowValidator } from '#validators/imports'
import {
  insertInChunks,
  writingRow,
  type ImportProblem,
  type ValidRow,
} from '#services/imports/csv_records'
import { CsvTransfer } from '#services/imports/csv_transfer'

/** The export's columns, in order; the import reads the same. */
export const CUSTOMER_CSV_COLUMNS = ['customer_id', 'name', 'email', 'company', 'notes'] as const

type CustomerInput = Awaited<ReturnType<typeof customerImportRowValidator.validate>>
type CustomerRow = ValidRow<CustomerInput>

type CustomerFields = {
  name: string
  email: string | null
  company: string | null
  notes: string | null
}

type PlannedCustomer = { id: number | null; line: number; fields: CustomerFields }

type StoredCustomer = CustomerFields & { id: number }

const fieldsOf = (row: CustomerRow): CustomerFields => ({
  name: row.name,
  email: row.email ?? null,
  company: row.company ?? null,
  notes: row.notes ?? null,
})

const lower = (email: string | null) => email?.toLowerCase() ?? null

/** Emails compare without case (the unique index is on lower(email)): a stored `Ada@X` stays. */
const sameFields = (stored: StoredCustomer, fields: CustomerFields) =>
  stored.name === fields.name &&
  lower(stored.email) === lower(fields.email) &&
  stored.company === fields.company &&
  stored.notes === fields.notes

/**
 * Customers as CSV, out and in (docs/decisions/0009's rules, as the lead
 * import has them): ids decide; a row without an id whose email a customer
 * has is that customer, so a hand-made file imported twice adds nobody
 * twice; every row is checked before anything is written, and one problem
 * anywhere writes nothing; an unchanged customer is not written; the
 * import deletes nobody. One audit row per import that changed something.
 */
@inject()
export default class CustomerTransfer extends CsvTransfer<CustomerInput, PlannedCustomer[]> {
  protected readonly columns = CUSTOMER_CSV_COLUMNS
  protected readonly requiredColumns = ['name']
  protected readonly rowValidator = customerImportRowValidator

  constructor(
    protected clock: Clock,
    protected audit: AuditTrail
  ) {
    super()
  }

  /** Every customer, oldest first, in the import's columns. */
  exportQuery() {
    return db
      .from('customers')
      .select('id as customer_id', 'name', 'email', 'company', 'notes')
      .orderBy('id')
  }

  /** Finds each row's customer (by id, else by email) and checks what only the database knows. */
  protected async plan(rows: CustomerRow[], problems: ImportProblem[], i18n: I18n) {
    const problem = (row: number, field: string, key: string, data: Record<string, unknown>) =>
      problems.push({ row, field, message: i18n.t(`imports.problems.${key}`, data) })
    const ids = [...new Set(rows.flatMap((row) => (row.customer_id ? [row.customer_id] : [])))]
    const emails = [...new Set(rows.flatMap((row) => (row.email ? [row.email] : [])))]
    const stored: { id: number; email: string | null }[] = await db
      .from('customers')
      .whereIn('id', ids)
      .orWhereRaw('lower(email) = ANY(?)', [emails])
      .select('id', 'email')
    const existingIds = new Set(stored.map((customer) => customer.id))
    const idByEmail = new Map(
      stored.flatMap((customer) => (customer.email ? [[lower(customer.email)!, customer.id]] : []))
    )

    const plan: PlannedCustomer[] = []
    const lineOfCustomer = new Map<number, number>()
    const lineOfEmail = new Map<string, number>()
    for (const row of rows) {
      if (row.customer_id && !existingIds.has(row.customer_id)) {
        problem(row.line, 'customer_id', 'unknown_customer_id', { id: row.customer_id })
        continue
      }
      const owner = row.email ? idByEmail.get(row.email) : undefined
      if (row.customer_id && owner !== undefined && owner !== row.customer_id) {
        problem(row.line, 'email', 'email_taken', { email: row.email, id: owner })
      }
      const id = row.customer_id ?? owner ?? null
      if (id !== null) {
        const first = lineOfCustomer.get(id)
        if (first) problem(row.line, 'customer_id', 'customer_twice', { id, line: first })
        else lineOfCustomer.set(id, row.line)
      }
      if (row.email) {
        const first = lineOfEmail.get(row.email)
        if (first) problem(row.line, 'email', 'email_twice', { email: row.email, line: first })
        else lineOfEmail.set(row.email, row.line)
      }
      plan.push({ id, line: row.line, fields: fieldsOf(row) })
    }
    return plan
  }

  protected async apply(
    trx: TransactionClientContract,
    plan: PlannedCustomer[],
    actor: Actor,
    i18n: I18n
  ) {
    const ids = plan.flatMap((customer) => (customer.id ? [customer.id] : []))
    const stored: StoredCustomer[] = await trx
      .from('customers')
      .whereIn('id', ids)
      .orderBy('id')
      .forUpdate()
      .select('id', 'name', 'email', 'company', 'notes')
    const byId = new Map(stored.map((customer) => [customer.id, customer]))
    const updated: number[] = []
    const fresh: { line: number; values: Record<string, unknown> }[] = []
    let unchanged = 0
    const now = this.clock.now().toJSDate()
    for (const customer of plan) {
      const current = customer.id ? byId.get(customer.id) : undefined
      if (!current) {
        fresh.push({
          line: customer.line,
          values: { ...customer.fields, created_at: now, updated_at: now },
        })
        continue
      }
      if (sameFields(current, customer.fields)) {
        unchanged++
        continue
      }
      // A differently cased but equal email is kept as stored.
      const email =
        lower(current.email) === lower(customer.fields.email)
          ? current.email
          : customer.fields.email
      await writingRow(customer.line, i18n, () =>
        trx
          .from('customers')
          .where('id', current.id)
          .update({ ...customer.fields, email, updated_at: now })
      )
      updated.push(current.id)
    }
    const created = await insertInChunks(trx, 'customers', fresh, i18n)
    if (created.length + updated.length > 0) {
      await this.audit.record(trx, actor, {
        action: 'customer.imported',
        subjectType: 'customer',
        after: {
          created: created.length,
          updated: updated.length,
          unchanged,
          created_ids: created,
          updated_ids: updated,
        },
      })
    }
    return { created: created.length, updated: updated.length, unchanged }
  }
}
