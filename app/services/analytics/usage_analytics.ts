import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type { AnalyticsRange } from '#services/analytics/analytics_range'
import { licenseUsableSql } from '#rules/license_usable'
import { effectiveLimitSql } from '#services/usage/limits'

/** Whose usage a page shows: one license, one product's licenses, or all (neither). */
export interface AnalyticsScope {
  productId?: number | null
  licenseId?: number | null
}

/** A share of its limit from which a license is listed as near it. */
export const NEAR_LIMIT_SHARE = 0.8

/** Rows per page of the raw events export. */
const EVENTS_PER_PAGE = 5000

export interface ActivityPoint {
  /** Bucket start, ISO in UTC. */
  at: string
  /** Hourly buckets: sessions (devices) in the hour; daily: its busiest hour's. */
  sessions: number
  devices: number
  heartbeats: number
}

export interface ActivityTotals {
  /** Sessions that were open at some moment of the range, and their distinct devices. */
  sessions: number
  devices: number
  heartbeats: number
  /** The busiest hour's sessions. */
  peakSessions: number
  usageEvents: number
}

export interface MeterSeries {
  meterId: number
  code: string
  name: string
  productName: string
  productSlug: string
  /** Amount recorded per bucket, in the range's bucket order. */
  amounts: number[]
  total: number
  events: number
  /** Records flagged as over the limit (policies allow and tolerance). */
  overLimitEvents: number
}

export interface TopLicense {
  licenseId: number
  key: string
  customerName: string | null
  amount: number
  events: number
}

export interface ActiveLicense {
  licenseId: number
  key: string
  productName: string
  customerName: string | null
  heartbeats: number
  peakSessions: number
  peakDevices: number
}

export interface LimitState {
  licenseId: number
  key: string
  customerName: string | null
  meterId: number
  meterCode: string
  meterName: string
  productName: string
  used: number
  /** Null: unlimited. */
  limit: number | null
  /** used / limit; null when unlimited, Infinity for a limit of 0 that was used. */
  share: number | null
  state: 'ok' | 'near' | 'reached' | 'over'
}

export interface EntitlementUse {
  entitlementId: number
  code: string
  name: string
  productName: string
  /** Licenses whose effective entitlements hold it, and how many of them are usable now. */
  licenses: number
  usable: number
}

/**
 * The bindings of `date_bin(?::interval, at, ?::timestamptz)`: the range's
 * buckets, counted from its start (a UTC hour or day). Plain arithmetic,
 * several times cheaper per row than date_trunc in a time zone.
 */
function binOf(range: AnalyticsRange) {
  return [range.bucket === 'hour' ? '1 hour' : '1 day', range.from.toJSDate()]
}

/** The totals of a range, from what its charts and tables already hold. */
export function totalsOf(
  spans: { sessions: number; devices: number },
  activity: ActivityPoint[],
  meters: MeterSeries[]
): ActivityTotals {
  return {
    ...spans,
    heartbeats: activity.reduce((sum, point) => sum + point.heartbeats, 0),
    peakSessions: activity.reduce((peak, point) => Math.max(peak, point.sessions), 0),
    usageEvents: meters.reduce((sum, meter) => sum + meter.events, 0),
  }
}

/** A SQL condition on a license id column for the scope, with its bindings. */
function licenseCondition(column: string, scope: AnalyticsScope) {
  if (scope.licenseId) return { sql: `${column} = ?`, bindings: [scope.licenseId] }
  if (scope.productId) {
    return {
      sql: `${column} IN (SELECT id FROM licenses WHERE product_id = ?)`,
      bindings: [scope.productId],
    }
  }
  return { sql: 'true', bindings: [] as unknown[] }
}

/**
 * Usage events narrowed to the scope. By product, through the meters: the
 * events' (meter_id, at) index serves it, and a meter is of one product.
 */
function eventCondition(alias: string, scope: AnalyticsScope) {
  if (scope.licenseId) return { sql: `${alias}.license_id = ?`, bindings: [scope.licenseId] }
  if (scope.productId) {
    return {
      sql: `${alias}.meter_id IN (SELECT id FROM meters WHERE product_id = ?)`,
      bindings: [scope.productId],
    }
  }
  return { sql: 'true', bindings: [] as unknown[] }
}

/**
 * What licenses have used of meters in the meters' current period at `now`
 * (the first binding), read as the usage engine counts (#services/usage):
 * the counter row of the period usage_period() gives at `now`, or for a
 * rolling meter the events after its window start or its last reset (the
 * reset_at of that same row, the epoch one), whichever is later. The
 * periods are worked out per meter first, so the counters are read by
 * their (meter_id, period_start) index, not scanned with every past period.
 * Each row carries the license's effective limit (effectiveLimitSql).
 * `{meters}` and `{licenses:alias}` narrow what is read; `{pairs}` is the
 * (license_id, meter_id) pairs answered, by default those with usage.
 */
const CURRENT_USAGE = `
  WITH params AS (SELECT ?::timestamptz AS now),
  periods AS (
    SELECT m.id AS meter_id, m.period, m.rolling_seconds, period.period_start
    FROM params, meters m, usage_period(m.period, m.time_zone, params.now) AS period
    WHERE {meters}
  ),
  used AS (
    SELECT c.license_id, c.meter_id, c.used
    FROM periods
    JOIN usage_counters c ON c.meter_id = periods.meter_id AND c.period_start = periods.period_start
    WHERE periods.period <> 'rolling' AND {licenses:c}
    UNION ALL
    SELECT e.license_id, e.meter_id, sum(e.amount)
    FROM params, periods
    JOIN usage_events e ON e.meter_id = periods.meter_id
    LEFT JOIN usage_counters reset ON reset.license_id = e.license_id
      AND reset.meter_id = e.meter_id AND reset.period_start = periods.period_start
    WHERE periods.period = 'rolling'
      AND e.at > GREATEST(params.now - make_interval(secs => periods.rolling_seconds),
        COALESCE(reset.reset_at, '-infinity'))
      AND {licenses:e}
    GROUP BY e.license_id, e.meter_id
  ),
  pairs AS ({pairs})
  SELECT pairs.license_id, pairs.meter_id, coalesce(used.used, 0)::bigint AS used,
    ${effectiveLimitSql('m', 'own', 'template')} AS "limit",
    m.code AS meter_code, m.name AS meter_name, p.name AS product_name,
    l.key, customers.name AS customer_name
  FROM pairs
  LEFT JOIN used ON used.license_id = pairs.license_id AND used.meter_id = pairs.meter_id
  JOIN meters m ON m.id = pairs.meter_id
  JOIN products p ON p.id = m.product_id
  JOIN licenses l ON l.id = pairs.license_id
  LEFT JOIN customers ON customers.id = l.customer_id
  LEFT JOIN license_meter_limits own
    ON own.license_id = pairs.license_id AND own.meter_id = pairs.meter_id
  LEFT JOIN license_template_meters template
    ON template.template_id = l.template_id AND template.meter_id = pairs.meter_id
  ORDER BY p.name, m.code, pairs.license_id
`

/** Where `used` stands against `limit`. */
export function limitStateOf(used: number, limit: number | null) {
  if (limit === null) return { share: null, state: 'ok' as const }
  const share = limit === 0 ? (used > 0 ? Infinity : 0) : used / limit
  if (used > limit) return { share, state: 'over' as const }
  if (used === limit && used > 0) return { share, state: 'reached' as const }
  if (share >= NEAR_LIMIT_SHARE) return { share, state: 'near' as const }
  return { share, state: 'ok' as const }
}

/**
 * The figures of the usage pages, read from what the rest of the system
 * writes: `license_usage_hourly` (sessions, devices and heartbeats per
 * license and hour, by the `usage:hourly` job), the session tables (the
 * distinct devices of a span), `usage_events` (every usage record) and
 * `usage_counters` (the current periods). Nothing here writes.
 */
@inject()
export default class UsageAnalytics {
  /** Sessions, devices and heartbeats per bucket, from the hourly figures. */
  async activity(scope: AnalyticsScope, range: AnalyticsRange): Promise<ActivityPoint[]> {
    const where = licenseCondition('u.license_id', scope)
    const result = await db.rawQuery(
      `WITH hourly AS (
         SELECT u.hour, sum(u.sessions) AS sessions, sum(u.devices) AS devices,
           sum(u.heartbeats) AS heartbeats
         FROM license_usage_hourly u
         WHERE u.hour >= ? AND u.hour < ? AND ${where.sql}
         GROUP BY u.hour
       )
       SELECT date_bin(?::interval, hour, ?::timestamptz) AS bucket, max(sessions) AS sessions,
         max(devices) AS devices, sum(heartbeats) AS heartbeats
       FROM hourly GROUP BY 1`,
      [range.from.toJSDate(), range.to.toJSDate(), ...where.bindings, ...binOf(range)]
    )
    const byBucket = new Map<string, any>(
      result.rows.map((row: any) => [new Date(row.bucket).toISOString(), row])
    )
    return range.buckets.map((at) => {
      const row = byBucket.get(new Date(at).toISOString())
      return {
        at,
        sessions: Number(row?.sessions ?? 0),
        devices: Number(row?.devices ?? 0),
        heartbeats: Number(row?.heartbeats ?? 0),
      }
    })
  }

  /**
   * The sessions open at some moment of the range and their distinct
   * devices, from the session tables (the hourly figures cannot tell one
   * device seen in two hours from two).
   */
  async sessionSpans(scope: AnalyticsScope, range: AnalyticsRange) {
    const from = range.from.toJSDate()
    const to = range.to.toJSDate()
    const where = licenseCondition('license_id', scope)
    const result = await db.rawQuery(
      `SELECT count(*) AS sessions, count(DISTINCT device_id) AS devices FROM (
         SELECT device_id FROM session_history
         WHERE ended_at > ? AND started_at < ? AND ${where.sql}
         UNION ALL
         SELECT device_id FROM license_sessions
         WHERE expires_at > ? AND started_at < ? AND ${where.sql}
       ) spans`,
      [from, to, ...where.bindings, from, to, ...where.bindings]
    )
    return {
      sessions: Number(result.rows[0].sessions),
      devices: Number(result.rows[0].devices),
    }
  }

  /**
   * Amount recorded per meter and bucket. With a product or a license, every
   * meter of the product has a series (an unused one is flat); across all
   * products, only the meters used in the range.
   */
  async meterSeries(
    scope: AnalyticsScope & { meterProductId?: number | null },
    range: AnalyticsRange
  ): Promise<MeterSeries[]> {
    const where = eventCondition('e', scope)
    const [used, meters] = await Promise.all([
      db.rawQuery(
        `SELECT e.meter_id, date_bin(?::interval, e.at, ?::timestamptz) AS bucket,
           sum(e.amount) AS amount,
           count(*) AS events, count(*) FILTER (WHERE e.over_limit) AS over_limit_events
         FROM usage_events e
         WHERE e.at >= ? AND e.at < ? AND ${where.sql}
         GROUP BY 1, 2`,
        [...binOf(range), range.from.toJSDate(), range.to.toJSDate(), ...where.bindings]
      ),
      this.metersOf(scope.meterProductId ?? scope.productId ?? null),
    ])
    const series = new Map<number, MeterSeries>()
    const bucketIndex = new Map(range.buckets.map((at, index) => [new Date(at).getTime(), index]))
    const productScoped = Boolean(scope.meterProductId ?? scope.productId)
    for (const meter of meters) {
      series.set(meter.id, {
        meterId: meter.id,
        code: meter.code,
        name: meter.name,
        productName: meter.product_name,
        productSlug: meter.product_slug,
        amounts: range.buckets.map(() => 0),
        total: 0,
        events: 0,
        overLimitEvents: 0,
      })
    }
    for (const row of used.rows) {
      const entry = series.get(row.meter_id)
      const index = bucketIndex.get(new Date(row.bucket).getTime())
      if (!entry || index === undefined) continue
      entry.amounts[index] += Number(row.amount)
      entry.total += Number(row.amount)
      entry.events += Number(row.events)
      entry.overLimitEvents += Number(row.over_limit_events)
    }
    return [...series.values()].filter((entry) => productScoped || entry.events > 0)
  }

  /** The meters of a product, or of every product (null), in the order the pages list them. */
  protected async metersOf(productId: number | null) {
    const query = db
      .from('meters')
      .join('products', 'products.id', 'meters.product_id')
      .select(
        'meters.id',
        'meters.code',
        'meters.name',
        'products.name as product_name',
        'products.slug as product_slug'
      )
      .orderBy('products.name')
      .orderBy('meters.code')
    if (productId) query.where('meters.product_id', productId)
    return query as Promise<
      { id: number; code: string; name: string; product_name: string; product_slug: string }[]
    >
  }

  /** The `perMeter` licenses that recorded the most of each meter in the range. */
  async topLicensesByMeter(
    scope: AnalyticsScope,
    range: AnalyticsRange,
    perMeter = 5
  ): Promise<Map<number, TopLicense[]>> {
    const where = eventCondition('e', scope)
    const result = await db.rawQuery(
      `WITH totals AS (
         SELECT e.meter_id, e.license_id, sum(e.amount) AS amount, count(*) AS events
         FROM usage_events e
         WHERE e.at >= ? AND e.at < ? AND ${where.sql}
         GROUP BY 1, 2
       ), ranked AS (
         SELECT totals.*,
           row_number() OVER (PARTITION BY meter_id ORDER BY amount DESC, license_id) AS rank
         FROM totals
       )
       SELECT ranked.*, l.key, customers.name AS customer_name
       FROM ranked
       JOIN licenses l ON l.id = ranked.license_id
       LEFT JOIN customers ON customers.id = l.customer_id
       WHERE ranked.rank <= ?
       ORDER BY ranked.meter_id, ranked.rank`,
      [range.from.toJSDate(), range.to.toJSDate(), ...where.bindings, perMeter]
    )
    const top = new Map<number, TopLicense[]>()
    for (const row of result.rows) {
      const list = top.get(row.meter_id) ?? []
      list.push({
        licenseId: Number(row.license_id),
        key: row.key,
        customerName: row.customer_name,
        amount: Number(row.amount),
        events: Number(row.events),
      })
      top.set(row.meter_id, list)
    }
    return top
  }

  /** The licenses with the most heartbeats in the range, with their busiest hour. */
  async mostActiveLicenses(
    scope: AnalyticsScope,
    range: AnalyticsRange,
    limit = 10
  ): Promise<ActiveLicense[]> {
    const where = licenseCondition('u.license_id', scope)
    const result = await db.rawQuery(
      `SELECT u.license_id, sum(u.heartbeats) AS heartbeats, max(u.sessions) AS peak_sessions,
         max(u.devices) AS peak_devices, l.key, p.name AS product_name,
         customers.name AS customer_name
       FROM license_usage_hourly u
       JOIN licenses l ON l.id = u.license_id
       JOIN products p ON p.id = l.product_id
       LEFT JOIN customers ON customers.id = l.customer_id
       WHERE u.hour >= ? AND u.hour < ? AND ${where.sql}
       GROUP BY u.license_id, l.key, p.name, customers.name
       ORDER BY heartbeats DESC, peak_sessions DESC, u.license_id
       LIMIT ?`,
      [range.from.toJSDate(), range.to.toJSDate(), ...where.bindings, limit]
    )
    return result.rows.map((row: any) => ({
      licenseId: Number(row.license_id),
      key: row.key,
      productName: row.product_name,
      customerName: row.customer_name,
      heartbeats: Number(row.heartbeats),
      peakSessions: Number(row.peak_sessions),
      peakDevices: Number(row.peak_devices),
    }))
  }

  /**
   * Licenses at `NEAR_LIMIT_SHARE` of a meter's limit or past it, in the
   * current period, the fullest first.
   */
  async nearOrOverLimit(scope: AnalyticsScope, now: DateTime, limit = 50): Promise<LimitState[]> {
    const rows = await this.currentUsage(scope, now)
    return rows
      .filter((row) => row.state !== 'ok')
      .sort((a, b) => (b.share ?? 0) - (a.share ?? 0) || a.licenseId - b.licenseId)
      .slice(0, limit)
  }

  protected async currentUsage(
    scope: AnalyticsScope,
    now: DateTime,
    pairs = { sql: 'SELECT license_id, meter_id FROM used', bindings: [] as unknown[] }
  ): Promise<LimitState[]> {
    const meters = scope.productId && !scope.licenseId ? 'm.product_id = ?' : 'true'
    const meterBindings = meters === 'true' ? [] : [scope.productId]
    const licenses = (alias: string) => (scope.licenseId ? `${alias}.license_id = ?` : 'true')
    const licenseBindings = scope.licenseId ? [scope.licenseId] : []
    const sql = CURRENT_USAGE.replace('{meters}', meters)
      .replace('{licenses:c}', licenses('c'))
      .replace('{licenses:e}', licenses('e'))
      .replace('{pairs}', pairs.sql)
    const result = await db.rawQuery(sql, [
      now.toJSDate(),
      ...meterBindings,
      ...licenseBindings,
      ...licenseBindings,
      ...pairs.bindings,
    ])
    return result.rows.map((row: any) => {
      const used = Number(row.used)
      const meterLimit = row.limit === null ? null : Number(row.limit)
      return {
        licenseId: Number(row.license_id),
        key: row.key,
        customerName: row.customer_name,
        meterId: row.meter_id,
        meterCode: row.meter_code,
        meterName: row.meter_name,
        productName: row.product_name,
        used,
        limit: meterLimit,
        ...limitStateOf(used, meterLimit),
      }
    })
  }

  /**
   * Each entitlement of the scope's product (or of all) with the number of
   * licenses whose effective entitlements hold it, and of those the ones
   * usable at `now`. The rule is licenseEntitledSql's (the license's own
   * row decides, else its template), written here as sets: (template's ∪
   * granted) − withdrawn reads each grant and template row once, where the
   * per-pair fragment would run two lookups for every license × entitlement
   * of the product.
   */
  async entitlementsInUse(scope: AnalyticsScope, now: DateTime): Promise<EntitlementUse[]> {
    const product = scope.productId ? 'e.product_id = ?' : 'true'
    const result = await db.rawQuery(
      `WITH params AS (SELECT ?::timestamptz AS now),
       effective AS (
         SELECT l.id AS license_id, lte.entitlement_id
         FROM licenses l
         JOIN license_template_entitlements lte ON lte.template_id = l.template_id
         UNION
         SELECT license_id, entitlement_id FROM license_entitlements WHERE granted
         EXCEPT
         SELECT license_id, entitlement_id FROM license_entitlements WHERE NOT granted
       )
       SELECT e.id, e.code, e.name, p.name AS product_name,
         count(l.id) AS licenses,
         count(l.id) FILTER (WHERE ${licenseUsableSql('l', 'params.now')}) AS usable
       FROM params, entitlements e
       JOIN products p ON p.id = e.product_id
       LEFT JOIN effective ON effective.entitlement_id = e.id
       LEFT JOIN licenses l ON l.id = effective.license_id
       WHERE ${product}
       GROUP BY e.id, e.code, e.name, p.name
       ORDER BY p.name, licenses DESC, e.code`,
      [now.toJSDate(), ...(scope.productId ? [scope.productId] : [])]
    )
    return result.rows.map((row: any) => ({
      entitlementId: row.id,
      code: row.code,
      name: row.name,
      productName: row.product_name,
      licenses: Number(row.licenses),
      usable: Number(row.usable),
    }))
  }

  /** A license's latest usage records, newest first. */
  async recentEvents(licenseId: number, limit = 10) {
    const result = await db.rawQuery(
      `SELECT e.id, e.at, e.amount, e.over_limit, e.idempotency_key, m.code AS meter
       FROM usage_events e
       JOIN meters m ON m.id = e.meter_id
       WHERE e.license_id = ?
       ORDER BY e.at DESC, e.id DESC
       LIMIT ?`,
      [licenseId, limit]
    )
    return result.rows.map((row: any) => ({
      at: row.at as Date,
      meter: row.meter as string,
      amount: Number(row.amount),
      overLimit: row.over_limit as boolean,
      idempotencyKey: row.idempotency_key as string | null,
    }))
  }

  /**
   * The raw usage events of the scope and range, oldest first. Read a day
   * at a time, and within a day in pages walked by (at, id): each query
   * sorts at most one day's records, which the (meter_id, at) index finds,
   * so an export of millions of rows neither sits in memory nor slows down
   * page after page.
   */
  async *events(scope: AnalyticsScope, range: AnalyticsRange): AsyncGenerator<UsageEventRow[]> {
    const meterIds = await this.meterIdsOf(scope)
    if (meterIds.length === 0) return
    const license = scope.licenseId ? 'AND e.license_id = ?' : ''
    const licenseBindings = scope.licenseId ? [scope.licenseId] : []
    for (let from = range.from; from < range.to;) {
      const to = DateTime.min(from.plus({ days: 1 }), range.to)
      // The cursor's moment as PostgreSQL's text: a Date would drop its microseconds.
      let after: { at: string; id: string } | null = null
      for (;;) {
        const result: { rows: UsageEventRow[] } = await db.rawQuery(
          `SELECT e.id, e.at, e.at::text AS cursor_at, e.amount, e.over_limit, e.period_start,
             e.idempotency_key, l.key AS license_key, p.slug AS product, m.code AS meter,
             k.name AS api_key
           FROM usage_events e
           JOIN licenses l ON l.id = e.license_id
           JOIN meters m ON m.id = e.meter_id
           JOIN products p ON p.id = m.product_id
           LEFT JOIN api_keys k ON k.id = e.api_key_id
           WHERE e.meter_id = ANY(?::int[]) AND e.at >= ? AND e.at < ? ${license}
             ${after ? 'AND (e.at, e.id) > (?::timestamptz, ?)' : ''}
           ORDER BY e.at, e.id
           LIMIT ${EVENTS_PER_PAGE}`,
          [
            meterIds,
            from.toJSDate(),
            to.toJSDate(),
            ...licenseBindings,
            ...(after ? [after.at, after.id] : []),
          ]
        )
        if (result.rows.length > 0) yield result.rows
        if (result.rows.length < EVENTS_PER_PAGE) break
        const last = result.rows[result.rows.length - 1]
        after = { at: last.cursor_at, id: last.id }
      }
      from = to
    }
  }

  /** The meters whose events a scope holds: its product's (a license's product's), or all. */
  protected async meterIdsOf(scope: AnalyticsScope): Promise<number[]> {
    const query = db.from('meters').select('meters.id')
    if (scope.licenseId) {
      query.whereIn(
        'product_id',
        db.from('licenses').select('product_id').where('id', scope.licenseId)
      )
    } else if (scope.productId) {
      query.where('product_id', scope.productId)
    }
    const meters = await query
    return meters.map((row) => row.id)
  }
}

export interface UsageEventRow {
  id: string
  at: Date
  cursor_at: string
  amount: string
  over_limit: boolean
  period_start: Date
  idempotency_key: string | null
  license_key: string
  product: string
  meter: string
  api_key: string | null
}
