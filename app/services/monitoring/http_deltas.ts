import type { Registry } from 'prom-client'
import { type CumulativeBucket, formatBound, parseBound } from './histogram.js'

/** The two HTTP metrics the monitoring page is drawn from (names fixed by the metrics contract). */
export const REQUESTS_METRIC = 'keyward_http_requests_total'
export const DURATION_METRIC = 'keyward_http_request_duration_seconds'

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx'
export const STATUS_CLASSES: StatusClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx']

/**
 * One series of a counter as the sampler sees it: what it adds to (a status
 * class of the request counter, or a bucket bound of the duration
 * histogram) and its value now.
 */
export interface CounterSeries {
  /** The metric and all its labels: the same series has the same key in every sample. */
  key: string
  field: string
  value: number
}

/** A process's counters at one moment, by series key. */
export type CounterSnapshot = Map<string, CounterSeries>

/** What happened between two samples: a number to add per Redis hash field. */
export type FieldDeltas = Map<string, number>

export function requestField(statusClass: StatusClass) {
  return `req:${statusClass}`
}

export function bucketField(le: number) {
  return `le:${formatBound(le)}`
}

function statusClassOf(status: unknown): StatusClass | null {
  const digit = String(status ?? '').charAt(0)
  const statusClass = `${digit}xx` as StatusClass
  return STATUS_CLASSES.includes(statusClass) ? statusClass : null
}

function seriesKey(metricName: string, labels: Record<string, unknown>) {
  const pairs = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`)
  return `${metricName}{${pairs.join(',')}}`
}

/**
 * Reads this process's request counter and duration histogram buckets from
 * its registry (only those two metrics: the scrape-time gauges are not
 * collected). A metric that is not registered (metrics switched off, or not
 * created yet) contributes nothing.
 */
export async function snapshotOf(registry: Registry): Promise<CounterSnapshot> {
  const snapshot: CounterSnapshot = new Map()
  const requests = registry.getSingleMetric(REQUESTS_METRIC)
  if (requests) {
    const { values } = await requests.get()
    for (const { labels, value } of values) {
      const statusClass = statusClassOf(labels.status)
      if (statusClass === null) continue
      const key = seriesKey(REQUESTS_METRIC, labels)
      snapshot.set(key, { key, field: requestField(statusClass), value })
    }
  }
  const duration = registry.getSingleMetric(DURATION_METRIC)
  if (duration) {
    const { values } = await duration.get()
    for (const { labels, value, metricName } of values as {
      labels: Record<string, string | number>
      value: number
      metricName?: string
    }[]) {
      if (metricName !== `${DURATION_METRIC}_bucket` || labels.le === undefined) continue
      const le = parseBound(labels.le)
      if (Number.isNaN(le)) continue
      const key = seriesKey(metricName, labels)
      snapshot.set(key, { key, field: bucketField(le), value })
    }
  }
  return snapshot
}

/**
 * What each field grew by from `previous` to `current`, per series. A series
 * new since the last sample counts from 0 (a process's counters start at 0,
 * so its first sample reports everything since it started). A series that
 * went down was reset (a restarted registry): as Prometheus' `rate` does,
 * its whole current value is the increase since the reset. Every field of a
 * current series is listed, with 0 when it did not grow: a time bucket's hash
 * then holds every bound of the histogram, and the quantile of a bucket
 * whose observations all lie high still knows the bound below them.
 */
export function deltasBetween(previous: CounterSnapshot, current: CounterSnapshot): FieldDeltas {
  const deltas: FieldDeltas = new Map()
  for (const series of current.values()) {
    const before = previous.get(series.key)?.value ?? 0
    const grew = series.value >= before ? series.value - before : series.value
    deltas.set(series.field, (deltas.get(series.field) ?? 0) + grew)
  }
  return deltas
}

/** The fields of one Redis hash (one time bucket), read back as numbers. */
export interface HttpBucket {
  /** Samples written into this bucket, by all processes (0: no process reported). */
  samples: number
  requests: Record<StatusClass, number>
  duration: CumulativeBucket[]
}

export function bucketFromHash(hash: Record<string, string>): HttpBucket {
  const requests = Object.fromEntries(STATUS_CLASSES.map((c) => [c, 0])) as Record<
    StatusClass,
    number
  >
  const duration: CumulativeBucket[] = []
  for (const [field, text] of Object.entries(hash)) {
    const value = Number(text)
    if (!Number.isFinite(value)) continue
    if (field.startsWith('req:')) {
      const statusClass = field.slice(4) as StatusClass
      if (STATUS_CLASSES.includes(statusClass)) requests[statusClass] += value
    } else if (field.startsWith('le:')) {
      const le = parseBound(field.slice(3))
      if (!Number.isNaN(le)) duration.push({ le, count: value })
    }
  }
  duration.sort((a, b) => a.le - b.le)
  return { samples: Number(hash.samples ?? 0) || 0, requests, duration }
}
