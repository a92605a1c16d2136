import { inject } from '@adonisjs/core'
import type { Infer } from '@vinejs/vine/types'
import { DateTime } from 'luxon'
import License from '#models/license'
import Product from '#models/product'
import {
  RANGE_CHOICES,
  resolveRange,
  type AnalyticsRange,
} from '#services/analytics/analytics_range'
import UsageReport from '#services/usage/usage_report'
import UsageAnalytics, {
  limitStateOf,
  totalsOf,
  type ActivityPoint,
  type AnalyticsScope,
  type MeterSeries,
  type UsageEventRow,
} from '#services/analytics/usage_analytics'
import type { CsvColumn } from '#support/csv_export'
import { Clock } from '#support/clock'
import { analyticsFilterValidator } from '#validators/panel_analytics'

export type AnalyticsFilters = Infer<typeof analyticsFilterValidator>

/**
 * The filters of a usage page's query string. A malformed field (a stale
 * or hand-edited URL) is dropped and the rest applies, as on the list
 * pages: the page should still open.
 */
export async function readAnalyticsFilters(qs: Record<string, unknown>): Promise<AnalyticsFilters> {
  const input = Object.fromEntries(Object.entries(qs).filter(([, value]) => value !== ''))
  const [error, filters] = await analyticsFilterValidator.tryValidate(input)
  if (!error) return filters
  const invalid = new Set((error.messages as { field: string }[]).map((message) => message.field))
  return analyticsFilterValidator.validate(
    Object.fromEntries(Object.entries(input).filter(([field]) => !invalid.has(field)))
  )
}

/** One figures row per bucket: the activity, and the amount of each meter. */
interface FiguresRow {
  at: string
  sessions: number
  devices: number
  heartbeats: number
  meters: number[]
}

const day = (moment: DateTime) => moment.toUTC().toISODate()!

/**
 * What the page's script draws (public/assets/analytics.js): the bucket
 * starts and each series; meters are named by product too when the page
 * spans several products.
 */
function chartOf(
  range: AnalyticsRange,
  activity: ActivityPoint[],
  meters: MeterSeries[],
  withProduct: boolean
) {
  return {
    bucket: range.bucket,
    at: range.buckets,
    sessions: activity.map((point) => point.sessions),
    devices: activity.map((point) => point.devices),
    heartbeats: activity.map((point) => point.heartbeats),
    meters: meters.map((meter) => ({
      label: withProduct ? `${meter.productName} · ${meter.code}` : meter.code,
      data: meter.amounts,
    })),
  }
}

/**
 * The usage pages (all products or one, and one license) and their CSV
 * exports, put together from `UsageAnalytics` for the filters asked.
 */
@inject()
export default class AnalyticsReport {
  constructor(
    protected analytics: UsageAnalytics,
    protected usage: UsageReport,
    protected clock: Clock
  ) {}

  protected rangeOf(filters: AnalyticsFilters) {
    return resolveRange(this.clock.now(), {
      range: filters.range,
      from: filters.from ? DateTime.fromJSDate(filters.from, { zone: 'utc' }) : undefined,
      to: filters.to ? DateTime.fromJSDate(filters.to, { zone: 'utc' }) : undefined,
    })
  }

  /** The filter form's values, as the page shows them back. */
  protected formOf(range: AnalyticsRange, filters: AnalyticsFilters) {
    return {
      choices: RANGE_CHOICES,
      range: range.choice,
      from: range.choice === 'custom' ? day(range.from) : '',
      to: range.choice === 'custom' ? day(range.to.minus({ days: 1 })) : '',
      productId: filters.product_id ?? null,
    }
  }

  /** The product page: all products, or the one of `product_id` (unknown ones show all). */
  async products(filters: AnalyticsFilters) {
    const range = this.rangeOf(filters)
    const now = this.clock.now()
    const products = await Product.query().orderBy('name')
    const product = products.find((candidate) => candidate.id === filters.product_id) ?? null
    const scope: AnalyticsScope = { productId: product?.id ?? null }
    const [activity, spans, meters, topByMeter, active, limits, entitlements] = await Promise.all([
      this.analytics.activity(scope, range),
      this.analytics.sessionSpans(scope, range),
      this.analytics.meterSeries(scope, range),
      this.analytics.topLicensesByMeter(scope, range),
      this.analytics.mostActiveLicenses(scope, range),
      this.analytics.nearOrOverLimit(scope, now),
      this.analytics.entitlementsInUse(scope, now),
    ])
    return {
      range,
      form: { ...this.formOf(range, filters), productId: product?.id ?? null },
      products,
      product,
      totals: totalsOf(spans, activity, meters),
      meters,
      chart: chartOf(range, activity, meters, !product),
      topByMeter: meters
        .map((meter) => ({ meter, licenses: topByMeter.get(meter.meterId) ?? [] }))
        .filter((entry) => entry.licenses.length > 0),
      active,
      limits,
      entitlements,
      exportQuery: this.exportQuery(range, { product_id: product?.id }),
    }
  }

  /** One license's page. */
  async license(licenseId: number, filters: AnalyticsFilters) {
    const license = await License.query()
      .where('id', licenseId)
      .preload('product')
      .preload('customer')
      .firstOrFail()
    const range = this.rangeOf(filters)
    const now = this.clock.now()
    const scope: AnalyticsScope = { licenseId: license.id }
    const [activity, spans, meters, current, recent] = await Promise.all([
      this.analytics.activity(scope, range),
      this.analytics.sessionSpans(scope, range),
      this.analytics.meterSeries({ ...scope, meterProductId: license.productId }, range),
      this.usage.of(license),
      this.analytics.recentEvents(license.id),
    ])
    return {
      license,
      status: license.statusAt(now),
      range,
      form: this.formOf(range, filters),
      totals: totalsOf(spans, activity, meters),
      meters,
      chart: chartOf(range, activity, meters, false),
      // The engine's own reading of each meter (the API's `GET /usage`), with its reset.
      current: current.map((standing) => ({
        meterId: standing.meterId,
        meterCode: standing.code,
        meterName: standing.name,
        used: standing.used,
        limit: standing.limit,
        limitSource: standing.limitSource,
        resetsAt: standing.resetsAt,
        ...limitStateOf(standing.used, standing.limit),
      })),
      recent,
      exportQuery: this.exportQuery(range, { license_id: license.id }),
    }
  }

  /** The query string of a page's CSV exports: the same range and scope. */
  protected exportQuery(range: AnalyticsRange, scope: Record<string, number | undefined>) {
    const query: Record<string, string | number> =
      range.choice === 'custom'
        ? { from: day(range.from), to: day(range.to.minus({ days: 1 })) }
        : { range: range.choice }
    for (const [name, value] of Object.entries(scope)) if (value) query[name] = value
    return query
  }

  /** What a CSV is named after: a license's key, a product's slug, or `all`. */
  protected async scopeOf(filters: AnalyticsFilters) {
    if (filters.license_id) {
      const license = await License.findOrFail(filters.license_id)
      return { scope: { licenseId: license.id }, name: license.key, productId: license.productId }
    }
    const product = filters.product_id ? await Product.find(filters.product_id) : null
    return {
      scope: { productId: product?.id ?? null },
      name: product?.slug ?? 'all',
      productId: product?.id ?? null,
    }
  }

  /**
   * The charts' figures as CSV: one row per bucket with sessions, devices
   * and heartbeats, and a column per meter (`product-slug/meter-code`).
   */
  async figuresCsv(filters: AnalyticsFilters) {
    const range = this.rangeOf(filters)
    const { scope, name, productId } = await this.scopeOf(filters)
    const [activity, meters] = await Promise.all([
      this.analytics.activity(scope, range),
      this.analytics.meterSeries({ ...scope, meterProductId: productId }, range),
    ])
    const rows: FiguresRow[] = activity.map((point, index) => ({
      ...point,
      meters: meters.map((meter) => meter.amounts[index]),
    }))
    const columns: CsvColumn<FiguresRow>[] = [
      { header: range.bucket, value: (row) => row.at },
      { header: 'sessions', value: (row) => row.sessions },
      { header: 'devices', value: (row) => row.devices },
      { header: 'heartbeats', value: (row) => row.heartbeats },
      ...meters.map((meter, index) => ({
        header: `${meter.productSlug}/${meter.code}`,
        value: (row: FiguresRow) => row.meters[index],
      })),
    ]
    return {
      filename: `usage-${name}-${day(range.from)}-${day(range.to.minus({ days: 1 }))}.csv`,
      columns,
      rows: (async function* () {
        yield rows
      })(),
    }
  }

  /** Every usage record of the scope and range, oldest first. */
  async eventsCsv(filters: AnalyticsFilters) {
    const range = this.rangeOf(filters)
    const { scope, name } = await this.scopeOf(filters)
    const columns: CsvColumn<UsageEventRow>[] = [
      { header: 'at', value: (row) => row.at },
      { header: 'license_key', value: (row) => row.license_key },
      { header: 'product', value: (row) => row.product },
      { header: 'meter', value: (row) => row.meter },
      { header: 'amount', value: (row) => row.amount },
      { header: 'over_limit', value: (row) => row.over_limit },
      { header: 'period_start', value: (row) => row.period_start },
      { header: 'idempotency_key', value: (row) => row.idempotency_key },
      { header: 'api_key', value: (row) => row.api_key },
    ]
    return {
      filename: `usage-events-${name}-${day(range.from)}-${day(range.to.minus({ days: 1 }))}.csv`,
      columns,
      rows: this.analytics.events(scope, range),
    }
  }
}
