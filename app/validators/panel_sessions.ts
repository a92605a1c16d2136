import type { HttpRequest } from '@adonisjs/core/http'
import { DateTime } from 'luxon'
import { END_REASONS } from '#services/session_ledger'
import { readListState, type ListState } from '#support/panel_list'

/**
 * The query strings of the sessions pages. Every filter is optional, and a
 * malformed one is ignored (a hand-edited or stale URL still opens the
 * page): `readListState` drops values that fail these patterns, and the
 * time range drops dates that match the pattern but do not exist.
 */

const POLICY = /^[a-z][a-z0-9_-]{0,59}$/
const ID = /^[1-9]\d{0,14}$/
/** `2026-05-01` or `2026-05-01T14:30` (datetime-local), seconds optional; UTC. */
const DATE_OR_DATETIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?$/

/** Sort names of the live list, and the SQL they sort by. */
export const LIVE_SORTS = {
  started_at: 's.started_at',
  last_heartbeat_at: 's.last_heartbeat_at',
  expires_at: 's.expires_at',
  license: 'l.key',
  customer: 'c.name',
} as const

/** Sort names of the history, and the SQL they sort by. */
export const HISTORY_SORTS = {
  ended_at: 'h.ended_at',
  started_at: 'h.started_at',
  license: 'l.key',
  customer: 'c.name',
  end_reason: 'h.end_reason',
} as const

const keysOf = <T extends object>(object: T) => Object.keys(object) as (keyof T & string)[]

export async function readLiveList(request: HttpRequest) {
  return readListState(request, {
    sortable: keysOf(LIVE_SORTS),
    defaultSort: 'started_at',
    defaultDir: 'desc',
    filters: { policy: POLICY, product_id: ID },
  })
}

/**
 * A date or datetime-local value, read in UTC (the panel shows UTC), or
 * null when it is no real date. `end` turns it into the exclusive end of
 * what was given: the whole day for a date, the whole minute for `14:30`.
 */
export function parseRangeTime(value: string, end = false): DateTime | null {
  const text = value.replace(' ', 'T')
  const parsed = DateTime.fromISO(text, { zone: 'utc' })
  if (!parsed.isValid) return null
  if (!end) return parsed
  if (text.length === 10) return parsed.plus({ days: 1 })
  return text.length === 16 ? parsed.plus({ minutes: 1 }) : parsed.plus({ seconds: 1 })
}

export interface HistoryRange {
  /** Inclusive lower bound of `ended_at`. */
  from: DateTime
  /** Exclusive upper bound of `ended_at`; never past now. */
  before: DateTime
}

/**
 * The history's list state and time range. Without `from`, the range
 * starts 24 hours before its end (`to`, or now); a range given backwards is
 * turned round. Sessions that end while a page or an export is built are
 * left out (`before` is at most now), so CSV chunks do not shift.
 */
export async function readHistoryList(request: HttpRequest, now: DateTime) {
  const list = await readListState(request, {
    sortable: keysOf(HISTORY_SORTS),
    defaultSort: 'ended_at',
    defaultDir: 'desc',
    filters: {
      end_reason: END_REASONS,
      policy: POLICY,
      product_id: ID,
      from: DATE_OR_DATETIME,
      to: DATE_OR_DATETIME,
    },
  })
  const raw = list.filters
  let from = raw.from ? parseRangeTime(raw.from) : null
  let before = raw.to ? parseRangeTime(raw.to, true) : null
  if (raw.from && !from) delete raw.from
  if (raw.to && !before) delete raw.to
  if (from && before && from > before) {
    ;[from, before] = [parseRangeTime(raw.to!)!, parseRangeTime(raw.from!, true)!]
    ;[raw.from, raw.to] = [raw.to!, raw.from!]
  }
  // Up to now, included (a session ended at this very moment shows).
  if (!before || before > now) before = now.plus({ milliseconds: 1 })
  from ??= before.minus({ hours: 24 })

  const state: ListState = { ...list, filtered: list.q !== '' || Object.keys(raw).length > 0 }
  return { list: state as typeof list, range: { from, before } satisfies HistoryRange }
}
