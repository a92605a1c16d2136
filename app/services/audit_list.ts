import db from '@adonisjs/lucid/services/db'
import type { ChainableContract } from '@adonisjs/lucid/types/querybuilder'
import { urlFor } from '@adonisjs/core/services/url_builder'
import AuditLog from '#models/audit_log'
import { inChunks } from '#support/csv_export'
import { escapeLike, likePattern, paginate, type ListState } from '#support/panel_list'
import type { AuditFilters } from '#validators/panel_audit'

/** The columns of the CSV export, in order. */
export const AUDIT_CSV_COLUMNS = [
  'id',
  'created_at',
  'actor_type',
  'actor_id',
  'actor_label',
  'action',
  'subject_type',
  'subject_id',
  'ip',
  'before',
  'after',
] as const

/** Subjects that have a page of their own in the panel. */
const SUBJECT_PAGES: Record<string, (id: string) => string> = {
  license: (id) => urlFor('admin.licenses.show', { id }),
  customer: (id) => urlFor('admin.customers.show', { id }),
}

/** How many distinct actions or subject types the filter suggests at most. */
const DISTINCT_LIMIT = 500

/** Matches `prefix` literally at the start of a LIKE. */
const prefixPattern = (prefix: string) => `${escapeLike(prefix)}%`

function applyFilters<Query extends ChainableContract>(query: Query, filters: AuditFilters) {
  if (filters.actorType) query.where('actor_type', filters.actorType)
  if (filters.actor) {
    const text = filters.actor
    query.where((where) =>
      where.whereILike('actor_label', likePattern(text)).orWhere('actor_id', text)
    )
  }
  if (filters.action && 'exact' in filters.action) query.where('action', filters.action.exact)
  if (filters.action && 'prefix' in filters.action) {
    query.whereLike('action', prefixPattern(filters.action.prefix))
  }
  if (filters.subjectType) query.where('subject_type', filters.subjectType)
  if (filters.subjectId) query.where('subject_id', filters.subjectId)
  if (filters.from) query.where('created_at', '>=', filters.from.toISO()!)
  if (filters.before) query.where('created_at', '<', filters.before.toISO()!)
  return query
}

function applySort<Query extends ChainableContract>(query: Query, list: ListState) {
  if (list.sort === 'action') query.orderBy('action', list.dir).orderBy('created_at', 'desc')
  else query.orderBy('created_at', list.dir)
  return query.orderBy('id', list.sort === 'action' ? 'desc' : list.dir)
}

/** `license.created` and `license.revoked` also suggest `license.*`. */
function actionSuggestions(actions: string[]) {
  const prefixes = new Set<string>()
  for (const action of actions) {
    const dot = action.indexOf('.')
    if (dot > 0) prefixes.add(`${action.slice(0, dot)}.*`)
  }
  return [...prefixes, ...actions].sort()
}

function pretty(value: Record<string, unknown> | null) {
  return value === null || value === undefined ? null : JSON.stringify(value, null, 2)
}

/** The keys whose values differ between before and after, for the summary line. */
function changedKeys(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null
) {
  const keys = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])
  return [...keys].filter((key) => JSON.stringify(before?.[key]) !== JSON.stringify(after?.[key]))
}

/**
 * Reading the audit log for the panel: a filtered page with what each row
 * shows, the values the filters suggest, and the export.
 */
export default class AuditList {
  /** A page of the log, each row with its subject's page (if any) and its changes. */
  async page(list: ListState, filters: AuditFilters) {
    const page = await paginate<AuditLog>(
      applySort(applyFilters(AuditLog.query(), filters), list),
      list
    )
    const rows = page.rows.map((row) => ({
      row,
      subjectUrl:
        row.subjectType && row.subjectId && /^\d+$/.test(row.subjectId)
          ? (SUBJECT_PAGES[row.subjectType]?.(row.subjectId) ?? null)
          : null,
      before: pretty(row.before),
      after: pretty(row.after),
      changed: changedKeys(row.before, row.after),
    }))
    return { ...page, rows }
  }

  /** The actions (with their `prefix.*`) and subject types the filters suggest. */
  async suggestions() {
    const [actions, subjectTypes] = await Promise.all([
      this.distinctValues('action'),
      this.distinctValues('subject_type'),
    ])
    return { actions: actionSuggestions(actions), subjectTypes }
  }

  /**
   * The distinct values of an indexed column, found by walking the index (one
   * short lookup per value) rather than by scanning the whole log.
   */
  protected async distinctValues(column: 'action' | 'subject_type') {
    const result = await db.rawQuery<{ rows: Array<{ value: string }> }>(
      `WITH RECURSIVE walk AS (
         (SELECT ${column} AS value FROM audit_logs WHERE ${column} IS NOT NULL
           ORDER BY ${column} LIMIT 1)
         UNION ALL
         SELECT (SELECT ${column} FROM audit_logs WHERE ${column} > walk.value
                  ORDER BY ${column} LIMIT 1)
           FROM walk WHERE walk.value IS NOT NULL
       )
       SELECT value FROM walk WHERE value IS NOT NULL LIMIT ${DISTINCT_LIMIT}`
    )
    return result.rows.map((row) => row.value)
  }

  /**
   * The filtered log in the list's order, in chunks, with the export's
   * columns. Rows appended while the export runs are left out (the log only
   * grows, so capping the id keeps the chunks from shifting).
   */
  async exportChunks(list: ListState, filters: AuditFilters) {
    const newest = await db.from('audit_logs').max('id as id').first()
    const query = applySort(
      applyFilters(db.from('audit_logs'), filters).where('id', '<=', newest?.id ?? 0),
      list
    ).select(...AUDIT_CSV_COLUMNS.map((name) => (name === 'ip' ? db.raw('host(ip) AS ip') : name)))
    return inChunks<Record<string, unknown>>(query)
  }
}
