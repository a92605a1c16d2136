import { test } from '@japa/runner'
import { bucketFromHash } from '#services/monitoring/http_deltas'
import { pointsOf, summaryOf } from '#services/monitoring/http_series'
import { errorStatus, formatSeconds, formatShare } from '#services/monitoring/presentation'

const MINUTE = 60_000
const start = Date.UTC(2026, 0, 5, 10, 0)

/** A stored bucket: `fast` requests in (0, 0.005], `slow` in (0.25, 0.5], `errors` of them 5xx. */
function bucket(fast: number, slow: number, errors = 0, samples = 1) {
  const total = fast + slow
  return bucketFromHash({
    'samples': String(samples),
    'req:2xx': String(total - errors),
    'req:5xx': String(errors),
    'le:0.005': String(fast),
    'le:0.25': String(fast),
    'le:0.5': String(total),
    'le:+Inf': String(total),
  })
}

test.group('Monitoring: chart points and summaries', () => {
  test('a finished bucket is divided by its width, the current one by the time so far', ({
    assert,
  }) => {
    const now = start + 2 * MINUTE + 30_000
    const points = pointsOf(
      [
        { start, bucket: bucket(120, 0) },
        { start: start + MINUTE, bucket: bucket(0, 0, 0, 0) },
        { start: start + 2 * MINUTE, bucket: bucket(30, 0) },
      ],
      MINUTE,
      now
    )
    assert.equal(points[0].at, '2026-01-05T10:00:00.000Z')
    assert.equal(points[0].requestsPerSecond, 2)
    // nobody reported: a gap, not a zero
    assert.isNull(points[1].requestsPerSecond)
    assert.isNull(points[1].p99)
    // 30 requests in the 30 s so far
    assert.equal(points[2].requestsPerSecond, 1)
  })

  test('the current bucket covers at least one sampling interval', ({ assert }) => {
    // A sample 2 s into a bucket carries the 10 s since the sample before.
    const current = [{ start, bucket: bucket(20, 0) }]
    assert.equal(pointsOf(current, MINUTE, start + 2000, 10_000)[0].requestsPerSecond, 2)
    assert.equal(summaryOf(current, MINUTE, start + 2000, 10_000).seconds, 10)
    assert.equal(pointsOf(current, MINUTE, start + 2000)[0].requestsPerSecond, 10)
  })

  test('a summary sums the buckets, then estimates its quantiles from the sum', ({ assert }) => {
    // 98 fast requests in one bucket and 2 slow ones in the next: neither bucket
    // alone has p99 0.375, their sum does.
    const buckets = [
      { start, bucket: bucket(98, 0) },
      { start: start + MINUTE, bucket: bucket(0, 2, 2) },
    ]
    const summary = summaryOf(buckets, MINUTE, start + 2 * MINUTE)
    assert.equal(summary.requests, 100)
    assert.equal(summary.byClass['5xx'], 2)
    assert.equal(summary.serverErrorShare, 0.02)
    assert.equal(summary.seconds, 120)
    assert.closeTo(summary.p99!, 0.375, 1e-6)
    assert.closeTo(summary.p50!, 0.005 * (50 / 98), 1e-6)
    assert.closeTo(summary.requestsPerSecond, 100 / 120, 1e-4)
  })

  test('without requests, shares and quantiles are null', ({ assert }) => {
    const summary = summaryOf([{ start, bucket: bucket(0, 0) }], MINUTE, start + MINUTE)
    assert.equal(summary.requests, 0)
    assert.isNull(summary.serverErrorShare)
    assert.isNull(summary.p50)
  })

  test('figures are written as the page shows them', ({ assert }) => {
    assert.equal(formatSeconds(0.375), '375 ms')
    assert.equal(formatSeconds(0.0025), '2.5 ms')
    assert.equal(formatSeconds(2.5), '2.50 s')
    assert.equal(formatSeconds(null), '—')
    assert.equal(formatShare(0.02), '2.00 %')
    assert.equal(formatShare(0), '0 %')
    assert.equal(errorStatus(0), 'up')
    assert.equal(errorStatus(0.005), 'warning')
    assert.equal(errorStatus(0.02), 'down')
    assert.equal(errorStatus(null), 'unknown')
  })
})
