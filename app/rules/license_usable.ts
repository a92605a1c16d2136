import type { DateTime } from 'luxon'

/**
 * "The license is usable": it is active (not suspended, not revoked) and
 * has not expired, or has expired less than its product's expiry grace ago
 * (`products.expiry_grace_days`; it then shows as `grace`). `expired` and
 * `grace` are never stored; they follow from `expires_at`, the product and
 * the clock. This module is the one definition, in the three forms the code
 * needs: a predicate, a query constraint and a SQL fragment.
 *
 * A grace day is 24 hours (86,400 s), in SQL as in code, so that the two
 * agree whatever time zone the database session runs in.
 */

interface LicenseState {
  status: string
  expiresAt: DateTime | Date | null
  /** The product's `expiry_grace_days`: how long past its expiry the license still works. */
  expiryGraceDays: number
}

const DAY_MILLIS = 86_400_000

function millis(value: DateTime | Date) {
  return value instanceof Date ? value.getTime() : value.toMillis()
}

/**
 * When the grace of an expiring license ends (epoch milliseconds): null for
 * a license without expiry or a product without grace.
 */
export function graceEnd(license: LicenseState): number | null {
  if (license.expiresAt === null || license.expiryGraceDays <= 0) return null
  return millis(license.expiresAt) + license.expiryGraceDays * DAY_MILLIS
}

/**
 * Where an active license stands against its expiry. The grace is read only
 * for a license past `expires_at`, so judging one that has not expired
 * needs no product.
 */
function expiryStage(license: LicenseState, now: DateTime | Date) {
  const at = millis(now)
  if (license.expiresAt === null || millis(license.expiresAt) > at) return 'running'
  const ends = graceEnd(license)
  return ends !== null && ends > at ? 'grace' : 'expired'
}

/** The status a license shows: its stored one, or `active`, `grace` or `expired` for an active one. */
export function licenseStatusAt<Status extends string>(
  license: LicenseState & { status: Status },
  now: DateTime | Date
): Status | 'active' | 'grace' | 'expired' {
  if (license.status !== 'active') return license.status
  const stage = expiryStage(license, now)
  return stage === 'running' ? 'active' : stage
}

export function isLicenseUsable(license: LicenseState, now: DateTime | Date) {
  return license.status === 'active' && expiryStage(license, now) !== 'expired'
}

/** True when the license is active but past its expiry and its grace: it shows as `expired`. */
export function isLicenseExpired(license: LicenseState, now: DateTime | Date) {
  return license.status === 'active' && expiryStage(license, now) === 'expired'
}

/** True when the license is past its expiry but within its grace: usable, shown as `grace`. */
export function isLicenseInGrace(license: LicenseState, now: DateTime | Date) {
  return license.status === 'active' && expiryStage(license, now) === 'grace'
}

const column = (alias: string | null, name: string) => (alias ? `${alias}.${name}` : name)

/**
 * `expires_at` plus the product's grace. The product is looked up by a
 * correlated subquery, which every fragment below reaches only for a
 * license already past `expires_at`: a license that has not expired (the
 * heartbeat's common case) costs no look-up. Without an alias the fragments
 * are for `FROM licenses`, whose `product_id` the subquery names.
 */
function graceEndSql(alias: string | null) {
  const productId = column(alias ?? 'licenses', 'product_id')
  const graceDays = `(SELECT grace.expiry_grace_days FROM products AS grace WHERE grace.id = ${productId})`
  return `${column(alias, 'expires_at')} + ${graceDays} * interval '24 hours'`
}

/**
 * The rule as SQL, for raw and prepared statements. `now` is the
 * placeholder of the moment, which a fragment repeats: `:now` (a named
 * binding, `{ now }`) for Knex, `$1` for a prepared statement.
 */
export function licenseUsableSql(alias: string | null, now = ':now') {
  const expiresAt = column(alias, 'expires_at')
  return `(${column(alias, 'status')} = 'active' AND (${expiresAt} IS NULL OR ${expiresAt} > ${now} OR ${graceEndSql(alias)} > ${now}))`
}

export function licenseExpiredSql(alias: string | null, now = ':now') {
  return `(${column(alias, 'status')} = 'active' AND ${column(alias, 'expires_at')} <= ${now} AND ${graceEndSql(alias)} <= ${now})`
}

export function licenseInGraceSql(alias: string | null, now = ':now') {
  return `(${column(alias, 'status')} = 'active' AND ${column(alias, 'expires_at')} <= ${now} AND ${graceEndSql(alias)} > ${now})`
}

/** The status a license shows, with `grace` and `expired` computed (see License#statusAt). */
export function licenseStatusSql(alias: string | null, now = ':now') {
  const status = column(alias, 'status')
  const expiresAt = column(alias, 'expires_at')
  return `CASE WHEN ${status} <> 'active' OR ${expiresAt} IS NULL OR ${expiresAt} > ${now} THEN ${status} WHEN ${graceEndSql(alias)} > ${now} THEN 'grace' ELSE 'expired' END`
}

/** Anything with Knex's `whereRaw`: database and model query builders alike. */
interface RawWhere {
  whereRaw(sql: string, bindings: Record<string, Date>): unknown
}

export function whereLicenseUsable<Query extends RawWhere>(
  query: Query,
  alias: string | null,
  now: Date
): Query {
  query.whereRaw(licenseUsableSql(alias), { now })
  return query
}

export function whereLicenseExpired<Query extends RawWhere>(
  query: Query,
  alias: string | null,
  now: Date
): Query {
  query.whereRaw(licenseExpiredSql(alias), { now })
  return query
}

export function whereLicenseInGrace<Query extends RawWhere>(
  query: Query,
  alias: string | null,
  now: Date
): Query {
  query.whereRaw(licenseInGraceSql(alias), { now })
  return query
}
