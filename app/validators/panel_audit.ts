import { DateTime } from 'luxon'
import type { HttpRequest } from '@adonisjs/core/http'
import { readListState, type ListState } from '#support/panel_list'

/**
 * The audit log viewer's query string. Every filter is optional and a
 * malformed one is ignored (a hand-edited or stale URL still opens the
 * page): `readListState` drops values that fail the patterns below, and
 * `readAuditFilters` drops dates that match the pattern but do not exist
 * (2026-02-30).
 */

export const AUDIT_ACTOR_TYPES = ['admin', 'api_key', 'cli', 'system'] as const

/** `2026-05-01`, or `2026-05-01T14:30` (datetime-local), seconds optional. */
const DATE_OR_DATETIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$/

export const auditListOptions = {
  sortable: ['created_at', 'action'] as const,
  defaultSort: 'created_at' as const,
  defaultDir: 'desc' as const,
  filters: {
    actor_type: AUDIT_ACTOR_TYPES,
    /** Free text over the actor's label (an email, a key's name), or their id. */
    actor: /^[^\p{Cc}]{1,200}$/u,
    /** An action (`license.created`), or a prefix ending in `*` (`license.*`). */
    action: /^[\w.:-]{1,80}\*?$|^\*$/,
    subject_type: /^[\w.:-]{1,60}$/,
    subject_id: /^[\w.:@-]{1,64}$/,
    from: DATE_OR_DATETIME,
    to: DATE_OR_DATETIME,
  },
}

export interface AuditFilters {
  actorType?: (typeof AUDIT_ACTOR_TYPES)[number]
  actor?: string
  /** Exact action, or `prefix` when the filter ended in `*`. */
  action?: { exact: string } | { prefix: string }
  subjectType?: string
  subjectId?: string
  /** Inclusive lower bound. */
  from?: DateTime
  /** Exclusive upper bound: the end of the day, minute or second given. */
  before?: DateTime
}

/**
 * A date or datetime-local value in the server's time zone (the zone the
 * log's times are shown in), or null when it is no real date. `end` turns
 * it into the exclusive end of what was given: the whole day for a date,
 * the whole minute for `14:30`.
 */
export function parseAuditTime(value: string, end = false): DateTime | null {
  const text = value.replace(' ', 'T')
  const parsed = DateTime.fromISO(text)
  if (!parsed.isValid) return null
  if (!end) return parsed
  if (text.length === 10) return parsed.plus({ days: 1 })
  return text.length === 16 ? parsed.plus({ minutes: 1 }) : parsed.plus({ seconds: 1 })
}

/**
 * The list state and the filters it holds, typed for the query. Dates
 * that are no real dates are removed from the list state too, so links
 * built from it (pager, sort, export) do not carry them on.
 */
export async function readAuditFilters(request: HttpRequest) {
  const list = await readListState(request, auditListOptions)
  const raw = list.filters
  const filters: AuditFilters = {}
  const ignored: string[] = []

  if (raw.actor_type) filters.actorType = raw.actor_type as AuditFilters['actorType']
  if (raw.actor) filters.actor = raw.actor
  if (raw.action && raw.action !== '*') {
    filters.action = raw.action.endsWith('*')
      ? { prefix: raw.action.slice(0, -1) }
      : { exact: raw.action }
  }
  if (raw.subject_type) filters.subjectType = raw.subject_type
  if (raw.subject_id) filters.subjectId = raw.subject_id
  if (raw.from) {
    const from = parseAuditTime(raw.from)
    if (from) filters.from = from
    else ignored.push(raw.from)
  }
  if (raw.to) {
    const before = parseAuditTime(raw.to, true)
    if (before) filters.before = before
    else ignored.push(raw.to)
  }
  for (const name of ['from', 'to'] as const) {
    if (raw[name] && ignored.includes(raw[name])) delete raw[name]
  }

  /** Values given but refused by the patterns (shown as "ignored"). */
  const input = request.qs()
  for (const name of Object.keys(auditListOptions.filters)) {
    const given = typeof input[name] === 'string' ? input[name].trim() : ''
    if (given && raw[name] === undefined && !ignored.includes(given)) ignored.push(given)
  }
  const state: ListState = { ...list, filtered: Object.keys(raw).length > 0 }
  return { list: state as typeof list, filters, ignored }
}
