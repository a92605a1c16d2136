import { test } from '@japa/runner'
import { Histogram, Registry } from 'prom-client'
import { histogramQuantile, sumBuckets } from '#services/monitoring/histogram'

const inf = Infinity

/** Cumulative buckets from upper bounds and the count in each (not cumulative). */
function cumulative(bounds: number[], perBucket: number[]) {
  let running = 0
  return bounds.map((le, index) => ({ le, count: (running += perBucket[index]) }))
}

test.group('histogramQuantile (as PromQL histogram_quantile)', () => {
  test('interpolates linearly within the bucket the rank falls in', ({ assert }) => {
    // 98 observations in (0, 0.005], 2 in (0.25, 0.5]
    const buckets = cumulative([0.005, 0.1, 0.25, 0.5, inf], [98, 0, 0, 2, 0])
    // p50: rank 50 of 98 in the first bucket, lower bound 0
    assert.closeTo(histogramQuantile(0.5, buckets)!, 0.005 * (50 / 98), 1e-12)
    // p99: rank 99, 98 below, 2 in (0.25, 0.5] -> halfway
    assert.closeTo(histogramQuantile(0.99, buckets)!, 0.375, 1e-12)
    assert.equal(histogramQuantile(1, buckets), 0.5)
  })

  test('a rank in the +Inf bucket answers the highest finite bound', ({ assert }) => {
    const buckets = cumulative([0.1, 1, inf], [1, 1, 8])
    assert.equal(histogramQuantile(0.99, buckets), 1)
    assert.equal(histogramQuantile(0.5, buckets), 1)
  })

  test('the lower bound of a bucket is the bound below it, whatever its count', ({ assert }) => {
    // All 10 in (0.25, 0.5]: the buckets below are there with count 0.
    const buckets = cumulative([0.1, 0.25, 0.5, inf], [0, 0, 10, 0])
    assert.closeTo(histogramQuantile(0.5, buckets)!, 0.375, 1e-12)
    assert.closeTo(histogramQuantile(0.1, buckets)!, 0.275, 1e-12)
  })

  test('nothing to estimate from gives null', ({ assert }) => {
    assert.isNull(histogramQuantile(0.5, []))
    assert.isNull(histogramQuantile(0.5, cumulative([0.1, inf], [0, 0])))
    // no +Inf bucket
    assert.isNull(histogramQuantile(0.5, cumulative([0.1, 1], [1, 1])))
    // a single bucket
    assert.isNull(histogramQuantile(0.5, [{ le: inf, count: 3 }]))
    assert.isNull(histogramQuantile(Number.NaN, cumulative([0.1, inf], [1, 0])))
  })

  test('q outside [0, 1] gives -Inf / +Inf; unsorted buckets are sorted', ({ assert }) => {
    const buckets = cumulative([0.1, 1, inf], [5, 5, 0])
    assert.equal(histogramQuantile(-0.1, buckets), -Infinity)
    assert.equal(histogramQuantile(1.5, buckets), Infinity)
    assert.closeTo(histogramQuantile(0.75, [...buckets].reverse())!, 0.55, 1e-12)
  })

  test('counts that fall from one bucket to the next are raised (monotonicity fix)', ({
    assert,
  }) => {
    // 0.1 -> 6 but 1 -> 4 (impossible in one series): treated as 6, 6, 10
    const buckets = [
      { le: 0.1, count: 6 },
      { le: 1, count: 4 },
      { le: inf, count: 10 },
    ]
    assert.closeTo(histogramQuantile(0.5, buckets)!, 0.1 * (5 / 6), 1e-12)
    assert.equal(histogramQuantile(0.9, buckets), 1)
  })

  test('agrees with the buckets prom-client writes for known observations', async ({ assert }) => {
    const registry = new Registry()
    const histogram = new Histogram({
      name: 'latency_seconds',
      help: 'x',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    })
    for (let index = 0; index < 90; index++) histogram.observe(0.003)
    for (let index = 0; index < 10; index++) histogram.observe(0.7)
    const { values } = await histogram.get()
    const buckets = values
      .filter((value) => value.metricName === 'latency_seconds_bucket')
      .map((value) => ({
        le: value.labels.le === '+Inf' ? inf : Number(value.labels.le),
        count: value.value,
      }))
    // p50 in (0, 0.005]: 50/90 of the way; p99: rank 99, 90 below, 10 in (0.5, 1]
    assert.closeTo(histogramQuantile(0.5, buckets)!, 0.005 * (50 / 90), 1e-12)
    assert.closeTo(histogramQuantile(0.99, buckets)!, 0.5 + 0.5 * (9 / 10), 1e-12)
  })
})

test.group('sumBuckets', () => {
  test('adds histograms bound by bound; a bound missing in one counts 0 there', ({ assert }) => {
    const a = cumulative([0.1, 1, inf], [1, 2, 3])
    const b = cumulative([0.1, 1, inf], [4, 0, 0])
    const c = [{ le: inf, count: 5 }]
    assert.deepEqual(sumBuckets(a, b, c), [
      { le: 0.1, count: 5 },
      { le: 1, count: 7 },
      { le: inf, count: 15 },
    ])
    assert.deepEqual(sumBuckets(), [])
  })
})
