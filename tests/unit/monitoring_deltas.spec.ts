import { test } from '@japa/runner'
import { Registry } from 'prom-client'
import { bucketFromHash, deltasBetween, snapshotOf } from '#services/monitoring/http_deltas'
import { HTTP_DURATION_BUCKETS } from '#services/metrics'
import { httpMetrics } from '#tests/support/monitoring'

const field = (deltas: Map<string, number>, name: string) => deltas.get(name) ?? 0

test.group('Monitoring: deltas between two samples of a registry', () => {
  test('counts requests by status class and histogram buckets summed over routes', async ({
    assert,
  }) => {
    const { registry, requests, duration } = httpMetrics()
    requests.inc({ method: 'GET', route: '/a', status: '200' }, 3)
    requests.inc({ method: 'POST', route: '/b', status: '201' }, 2)
    requests.inc({ method: 'GET', route: 'unmatched', status: '404' }, 4)
    requests.inc({ method: 'GET', route: '/a', status: '503' }, 1)
    duration.observe({ method: 'GET', route: '/a' }, 0.003)
    duration.observe({ method: 'POST', route: '/b' }, 0.3)

    const first = deltasBetween(new Map(), await snapshotOf(registry))
    assert.equal(field(first, 'req:2xx'), 5)
    assert.equal(field(first, 'req:4xx'), 4)
    assert.equal(field(first, 'req:5xx'), 1)
    assert.equal(field(first, 'le:0.005'), 1)
    assert.equal(field(first, 'le:0.25'), 1)
    assert.equal(field(first, 'le:0.5'), 2)
    assert.equal(field(first, 'le:+Inf'), 2)
  })

  test('the second sample carries only what happened since the first', async ({ assert }) => {
    const { registry, requests, duration } = httpMetrics()
    requests.inc({ method: 'GET', route: '/a', status: '200' }, 10)
    duration.observe({ method: 'GET', route: '/a' }, 0.02)
    const first = await snapshotOf(registry)

    requests.inc({ method: 'GET', route: '/a', status: '200' }, 2)
    requests.inc({ method: 'GET', route: '/c', status: '500' }, 1)
    duration.observe({ method: 'GET', route: '/a' }, 2)
    const second = await snapshotOf(registry)
    const deltas = deltasBetween(first, second)
    assert.equal(field(deltas, 'req:2xx'), 2)
    assert.equal(field(deltas, 'req:5xx'), 1)
    assert.equal(field(deltas, 'le:0.025'), 0)
    assert.equal(field(deltas, 'le:2.5'), 1)
    assert.equal(field(deltas, 'le:+Inf'), 1)
    // Every bound is listed, grown or not, so a bucket's hash knows all bounds.
    assert.sameMembers(
      [...deltas.keys()].filter((name) => name.startsWith('le:')),
      [...HTTP_DURATION_BUCKETS.map((le) => `le:${le}`), 'le:+Inf']
    )

    // Nothing happened: every field is there with 0.
    const third = deltasBetween(second, await snapshotOf(registry))
    assert.isTrue([...third.values()].every((value) => value === 0))
  })

  test('a counter that went down was reset: its whole value is new', async ({ assert }) => {
    const before = httpMetrics()
    before.requests.inc({ method: 'GET', route: '/a', status: '200' }, 50)
    before.requests.inc({ method: 'GET', route: '/b', status: '200' }, 5)
    before.duration.observe({ method: 'GET', route: '/a' }, 0.003)
    const previous = await snapshotOf(before.registry)

    // The same series after a restart (a fresh registry): /a at 3, /b at 7.
    const after = httpMetrics()
    after.requests.inc({ method: 'GET', route: '/a', status: '200' }, 3)
    after.requests.inc({ method: 'GET', route: '/b', status: '200' }, 7)
    const deltas = deltasBetween(previous, await snapshotOf(after.registry))
    // /a: reset, 3 new; /b: 2 more
    assert.equal(field(deltas, 'req:2xx'), 5)

    // The histogram reset as well: its series are 0 now, which is not a decrease below 0.
    after.duration.observe({ method: 'GET', route: '/a' }, 0.003)
    after.duration.observe({ method: 'GET', route: '/a' }, 0.003)
    const again = deltasBetween(previous, await snapshotOf(after.registry))
    // was 1, is 2: grew by 1 (indistinguishable from no reset, as for Prometheus)
    assert.equal(field(again, 'le:+Inf'), 1)
    before.registry.resetMetrics()
    const dropped = deltasBetween(previous, await snapshotOf(before.registry))
    assert.equal(field(dropped, 'req:2xx'), 0)
  })

  test('a registry without the HTTP metrics gives nothing', async ({ assert }) => {
    const deltas = deltasBetween(new Map(), await snapshotOf(new Registry()))
    assert.equal(deltas.size, 0)
  })

  test('a stored hash reads back as counts by class and sorted buckets', ({ assert }) => {
    const bucket = bucketFromHash({
      'samples': '3',
      'req:2xx': '7',
      'req:5xx': '1',
      'req:9xx': '4',
      'le:+Inf': '8',
      'le:0.1': '6',
      'le:junk': '1',
    })
    assert.equal(bucket.samples, 3)
    assert.deepEqual(bucket.requests, { '1xx': 0, '2xx': 7, '3xx': 0, '4xx': 0, '5xx': 1 })
    assert.deepEqual(bucket.duration, [
      { le: 0.1, count: 6 },
      { le: Infinity, count: 8 },
    ])
  })
})
