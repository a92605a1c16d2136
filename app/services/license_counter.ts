import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { licenseExpiredSql, licenseUsableSql } from '#rules/license_usable'
import { Clock } from '#support/clock'

export const LICENSE_COUNTERS = [
  'total',
  'active',
  'expired',
  'suspended',
  'revoked',
  'used',
  'available',
] as const
export type LicenseCounts = Record<(typeof LICENSE_COUNTERS)[number], number>

/**
 * `expired` is not stored (see License#statusAt): it is an active license
 * whose `expires_at` has passed. "Available" means unused and still usable.
 */
const AGGREGATES = [
  { sql: 'count(*) AS total', now: false },
  { sql: `count(*) FILTER (WHERE ${licenseUsableSql(null)}) AS active`, now: true },
  { sql: `count(*) FILTER (WHERE ${licenseExpiredSql(null)}) AS expired`, now: true },
  { sql: `count(*) FILTER (WHERE status = 'suspended') AS suspended`, now: false },
  { sql: `count(*) FILTER (WHERE status = 'revoked') AS revoked`, now: false },
  { sql: 'count(*) FILTER (WHERE activated_at IS NOT NULL) AS used', now: false },
  {
    sql: `count(*) FILTER (WHERE activated_at IS NULL AND ${licenseUsableSql(null)}) AS available`,
    now: true,
  },
]

/** Licenses counted by type and by status as they show now (`license:stats`). */
@inject()
export default class LicenseCounter {
  constructor(protected clock: Clock) {}

  /** One row of counts per license type, of one product or of all; `at` is the moment counted. */
  async byType(productId: number | null) {
    const now = this.clock.now()
    const query = db.from('licenses').select('type').groupBy('type')
    for (const aggregate of AGGREGATES) {
      query.select(db.raw(aggregate.sql, aggregate.now ? { now: now.toJSDate() } : []))
    }
    if (productId !== null) query.where('product_id', productId)
    const rows: Array<{ type: string } & Record<string, unknown>> = await query
    return {
      at: now,
      rows: rows.map((row) => ({
        type: row.type,
        counts: Object.fromEntries(
          LICENSE_COUNTERS.map((name) => [name, Number(row[name])])
        ) as LicenseCounts,
      })),
    }
  }
}
