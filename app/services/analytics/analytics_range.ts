import type { DateTime } from 'luxon'

/** The ranges the usage pages offer; `custom` is a span of whole UTC days. */
export const RANGE_CHOICES = ['24h', '7d', '30d', '90d', '365d'] as const
export type RangeChoice = (typeof RANGE_CHOICES)[number]
export const DEFAULT_RANGE: RangeChoice = '30d'

/** The longest custom span, as long as the longest preset (a leap year's days). */
export const MAX_CUSTOM_DAYS = 366

export type Bucket = 'hour' | 'day'

export interface AnalyticsRange {
  choice: RangeChoice | 'custom'
  /** Start (inclusive) and end (exclusive), UTC. */
  from: DateTime
  to: DateTime
  bucket: Bucket
  /** Every bucket start of the range, ISO in UTC: the charts' x axis, gaps included. */
  buckets: string[]
}

export interface RangeRequest {
  range?: RangeChoice
  /** Whole UTC days, both included; either alone extends to `now`'s day or back a preset. */
  from?: DateTime
  to?: DateTime
}

const PRESETS: Record<RangeChoice, { hours: number } | { days: number }> = {
  '24h': { hours: 24 },
  '7d': { days: 7 },
  '30d': { days: 30 },
  '90d': { days: 90 },
  '365d': { days: 365 },
}

/**
 * The span a usage page shows. Presets end with the bucket that holds
 * `now` (the current hour for 24 hours, today for the others), so the
 * latest figures are always on the chart. A custom range of dates wins
 * over a preset; it is put in order, and kept to `MAX_CUSTOM_DAYS` ending
 * on its last day. Up to two days are drawn per hour, longer spans per day
 * (the hourly figures are what `license_usage_hourly` holds).
 */
export function resolveRange(now: DateTime, request: RangeRequest = {}): AnalyticsRange {
  const utcNow = now.toUTC()
  if (request.from || request.to) {
    let first = (request.from ?? request.to!).toUTC().startOf('day')
    let last = (request.to ?? utcNow).toUTC().startOf('day')
    if (first > last) [first, last] = [last, first]
    const to = last.plus({ days: 1 })
    let from = first
    if (to.diff(from, 'days').days > MAX_CUSTOM_DAYS) from = to.minus({ days: MAX_CUSTOM_DAYS })
    return withBuckets('custom', from, to)
  }
  const choice = request.range ?? DEFAULT_RANGE
  const preset = PRESETS[choice]
  if ('hours' in preset) {
    const to = utcNow.startOf('hour').plus({ hours: 1 })
    return withBuckets(choice, to.minus({ hours: preset.hours }), to)
  }
  const to = utcNow.startOf('day').plus({ days: 1 })
  return withBuckets(choice, to.minus({ days: preset.days }), to)
}

function withBuckets(choice: AnalyticsRange['choice'], from: DateTime, to: DateTime) {
  const bucket: Bucket = to.diff(from, 'hours').hours <= 48 ? 'hour' : 'day'
  const buckets: string[] = []
  for (let at = from; at < to; at = at.plus({ [bucket]: 1 })) buckets.push(at.toISO()!)
  return { choice, from, to, bucket, buckets }
}
