import type { DateTime } from 'luxon'

/**
 * "The session is live": its last heartbeat plus the timeout (`expires_at`)
 * lies after now. Rows of `license_sessions` are the sessions not yet
 * ended, but a crashed client's row stays there until the sweeper moves it,
 * so liveness is decided by the clock, never by the row's presence. The
 * session-limit trigger (migration 0005) states the same rule in PL/pgSQL.
 */

function millis(value: DateTime | Date) {
  return value instanceof Date ? value.getTime() : value.toMillis()
}

export function isSessionLive(session: { expiresAt: DateTime | Date }, now: DateTime | Date) {
  return millis(session.expiresAt) > millis(now)
}

/** `now` is the placeholder of the moment (`?` for Knex, `$1` for a prepared statement). */
export function sessionLiveSql(alias: string | null, now = '?') {
  return `${alias ? `${alias}.` : ''}expires_at > ${now}`
}

/**
 * The rule's negation, as the sweeper and the ledger select what is no
 * longer live: `expires_at` at or before now (never null, so exactly NOT live).
 */
export function sessionExpiredSql(alias: string | null, now = '?') {
  return `${alias ? `${alias}.` : ''}expires_at <= ${now}`
}

interface RawWhere {
  whereRaw(sql: string, bindings: unknown[]): unknown
}

export function whereSessionLive<Query extends RawWhere>(
  query: Query,
  alias: string | null,
  now: Date
): Query {
  query.whereRaw(sessionLiveSql(alias), [now])
  return query
}
