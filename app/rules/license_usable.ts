import type { DateTime } from 'luxon'

/**
 * "The license is usable": it is active (not suspended, not revoked) and
 * has not expired. `expired` is never stored; it follows from `expires_at`
 * and the clock. This module is the one definition, in the three forms the
 * code needs: a predicate, a query constraint and a SQL fragment.
 */

interface LicenseState {
  status: string
  expiresAt: DateTime | Date | null
}

function millis(value: DateTime | Date) {
  return value instanceof Date ? value.getTime() : value.toMillis()
}

export function isLicenseUsable(license: LicenseState, now: DateTime | Date) {
  return (
    license.status === 'active' &&
    (license.expiresAt === null || millis(license.expiresAt) > millis(now))
  )
}

/** True when the license is active but past its expiry: it shows as `expired`. */
export function isLicenseExpired(license: LicenseState, now: DateTime | Date) {
  return (
    license.status === 'active' &&
    license.expiresAt !== null &&
    millis(license.expiresAt) <= millis(now)
  )
}

const column = (alias: string | null, name: string) => (alias ? `${alias}.${name}` : name)

/**
 * The rule as SQL, for raw and prepared statements. `now` is the
 * placeholder of the moment (`?` for Knex, `$1` for a prepared statement).
 */
export function licenseUsableSql(alias: string | null, now = '?') {
  const expiresAt = column(alias, 'expires_at')
  return `(${column(alias, 'status')} = 'active' AND (${expiresAt} IS NULL OR ${expiresAt} > ${now}))`
}

export function licenseExpiredSql(alias: string | null, now = '?') {
  return `(${column(alias, 'status')} = 'active' AND ${column(alias, 'expires_at')} <= ${now})`
}

/** The status a license shows, with `expired` computed (see License#statusAt). */
export function licenseStatusSql(alias: string | null, now = '?') {
  return `CASE WHEN ${licenseExpiredSql(alias, now)} THEN 'expired' ELSE ${column(alias, 'status')} END`
}

/** Anything with Knex's `whereRaw`: database and model query builders alike. */
interface RawWhere {
  whereRaw(sql: string, bindings: unknown[]): unknown
}

export function whereLicenseUsable<Query extends RawWhere>(
  query: Query,
  alias: string | null,
  now: Date
): Query {
  query.whereRaw(licenseUsableSql(alias), [now])
  return query
}

export function whereLicenseExpired<Query extends RawWhere>(
  query: Query,
  alias: string | null,
  now: Date
): Query {
  query.whereRaw(licenseExpiredSql(alias), [now])
  return query
}
