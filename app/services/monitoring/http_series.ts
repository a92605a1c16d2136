import { type CumulativeBucket, histogramQuantile, sumBuckets } from './histogram.js'
import { type HttpBucket, STATUS_CLASSES, type StatusClass } from './http_deltas.js'

/** One point of the charts: one time bucket of the whole installation. */
export interface HttpPoint {
  /** Start of the bucket (ISO, UTC). */
  at: string
  /** Requests per second; null when no process reported in this bucket. */
  requestsPerSecond: number | null
  /** Requests answered 5xx, per second. */
  serverErrorsPerSecond: number | null
  /** Requests answered 4xx, per second. */
  clientErrorsPerSecond: number | null
  /** Latency quantiles in seconds; null without requests. */
  p50: number | null
  p99: number | null
}

/** Figures over a span of buckets (the last few minutes, or the whole window). */
export interface HttpSummary {
  /** Seconds the figures cover. */
  seconds: number
  requests: number
  byClass: Record<StatusClass, number>
  requestsPerSecond: number
  /** Share of requests answered 5xx (0..1); null without requests. */
  serverErrorShare: number | null
  p50: number | null
  p99: number | null
}

export interface TimedBucket {
  start: number
  bucket: HttpBucket
}

function total(bucket: HttpBucket) {
  return STATUS_CLASSES.reduce((sum, statusClass) => sum + bucket.requests[statusClass], 0)
}

/**
 * Seconds of a bucket that have passed at `now`: the whole width for a
 * finished bucket, the part so far for the current one, but at least
 * `minMs` (the sampling interval: a sample written just after a bucket
 * opened carries the requests of a whole interval, and dividing them by the
 * second or two of the new bucket would show a burst that never was).
 */
function coveredSeconds(start: number, bucketMs: number, now: number, minMs: number) {
  return Math.max(minMs, 1000, Math.min(bucketMs, now - start)) / 1000
}

const rounded = (value: number, digits = 4) => Number(value.toFixed(digits))
const quantile = (q: number, buckets: CumulativeBucket[]) => {
  const value = histogramQuantile(q, buckets)
  return value === null ? null : rounded(value, 6)
}

/** The chart's points, one per bucket, oldest first. */
export function pointsOf(
  buckets: TimedBucket[],
  bucketMs: number,
  now: number,
  minMs = 0
): HttpPoint[] {
  return buckets.map(({ start, bucket }) => {
    const at = new Date(start).toISOString()
    if (bucket.samples === 0) {
      return {
        at,
        requestsPerSecond: null,
        serverErrorsPerSecond: null,
        clientErrorsPerSecond: null,
        p50: null,
        p99: null,
      }
    }
    const seconds = coveredSeconds(start, bucketMs, now, minMs)
    return {
      at,
      requestsPerSecond: rounded(total(bucket) / seconds),
      serverErrorsPerSecond: rounded(bucket.requests['5xx'] / seconds),
      clientErrorsPerSecond: rounded(bucket.requests['4xx'] / seconds),
      p50: quantile(0.5, bucket.duration),
      p99: quantile(0.99, bucket.duration),
    }
  })
}

/** The figures of several buckets together (their counts and histograms summed). */
export function summaryOf(
  buckets: TimedBucket[],
  bucketMs: number,
  now: number,
  minMs = 0
): HttpSummary {
  const byClass = Object.fromEntries(STATUS_CLASSES.map((c) => [c, 0])) as Record<
    StatusClass,
    number
  >
  let seconds = 0
  for (const { start, bucket } of buckets) {
    for (const statusClass of STATUS_CLASSES) byClass[statusClass] += bucket.requests[statusClass]
    seconds += coveredSeconds(start, bucketMs, now, minMs)
  }
  const requests = STATUS_CLASSES.reduce((sum, statusClass) => sum + byClass[statusClass], 0)
  const duration = sumBuckets(...buckets.map(({ bucket }) => bucket.duration))
  return {
    seconds: rounded(seconds, 1),
    requests,
    byClass,
    requestsPerSecond: seconds > 0 ? rounded(requests / seconds) : 0,
    serverErrorShare: requests > 0 ? rounded(byClass['5xx'] / requests, 6) : null,
    p50: quantile(0.5, duration),
    p99: quantile(0.99, duration),
  }
}
