import { test } from '@japa/runner'
import { ApiError } from '#exceptions/api_error'
import Metrics, { refusalCodeOf } from '#services/metrics'
import { CachedProbe } from '#services/metrics/cached_probe'
import JobMetrics from '#services/metrics/job_metrics'
import { hasSample, valueOf } from '#tests/support/metrics'

/** A probe whose reads are counted and answered by hand. */
function countedProbe(options: { ttlMs: number; timeoutMs?: number }) {
  let now = 1_000_000
  let reads = 0
  const pending: Array<{ resolve: (value: number) => void; reject: (error: Error) => void }> = []
  const probe = new CachedProbe(
    () =>
      new Promise<number>((resolve, reject) => {
        reads++
        pending.push({ resolve, reject })
      }),
    { ttlMs: options.ttlMs, timeoutMs: options.timeoutMs ?? 60_000, now: () => now }
  )
  return {
    probe,
    reads: () => reads,
    answer: (value: number) => pending.shift()!.resolve(value),
    fail: () => pending.shift()!.reject(new Error('down')),
    advance: (ms: number) => (now += ms),
  }
}

test.group('Metrics: CachedProbe', () => {
  test('reuses a value for ttlMs, then reads again', async ({ assert }) => {
    const counted = countedProbe({ ttlMs: 5000 })
    const first = counted.probe.get()
    counted.answer(7)
    assert.equal(await first, 7)
    counted.advance(4999)
    assert.equal(await counted.probe.get(), 7)
    assert.equal(counted.reads(), 1)
    counted.advance(1)
    const second = counted.probe.get()
    counted.answer(8)
    assert.equal(await second, 8)
    assert.equal(counted.reads(), 2)
  })

  test('callers that come while a read runs share it', async ({ assert }) => {
    const counted = countedProbe({ ttlMs: 0 })
    const callers = [counted.probe.get(), counted.probe.get(), counted.probe.get()]
    counted.answer(3)
    assert.deepEqual(await Promise.all(callers), [3, 3, 3])
    assert.equal(counted.reads(), 1)
  })

  test('a failed read gives undefined, and the next scrape tries again', async ({ assert }) => {
    const counted = countedProbe({ ttlMs: 1000 })
    const failed = counted.probe.get()
    counted.fail()
    assert.isUndefined(await failed)
    // Within the ttl the failure is reused: a down database is not asked on every scrape.
    assert.isUndefined(await counted.probe.get())
    assert.equal(counted.reads(), 1)
    counted.advance(1000)
    const retried = counted.probe.get()
    counted.answer(5)
    assert.equal(await retried, 5)
  })

  test('a read that hangs costs one timeout, and is not waited for again', async ({ assert }) => {
    const counted = countedProbe({ ttlMs: 0, timeoutMs: 20 })
    const startedAt = performance.now()
    assert.isUndefined(await counted.probe.get())
    assert.isAtLeast(performance.now() - startedAt, 15)
    // The hung read still runs: later callers past its budget give up at once, starting no other.
    counted.advance(20)
    assert.isUndefined(await counted.probe.get())
    assert.equal(counted.reads(), 1)
    // Once it ends, the next caller reads afresh.
    counted.answer(1)
    await new Promise((resolve) => setImmediate(resolve))
    const next = counted.probe.get()
    counted.answer(2)
    assert.equal(await next, 2)
    assert.equal(counted.reads(), 2)
  })
})

test.group('Metrics: recording', () => {
  test('requests are counted by method, route pattern or "unmatched", and status', async ({
    assert,
  }) => {
    const metrics = new Metrics({ enabled: true })
    metrics.observeRequest('POST', '/api/license/session/heartbeat', 200, 0.003)
    metrics.observeRequest('POST', '/api/license/session/heartbeat', 200, 0.02)
    metrics.observeRequest('GET', undefined, 404, 0.001)
    const text = await metrics.registry.metrics()
    const heartbeat = { method: 'POST', route: '/api/license/session/heartbeat' }
    assert.equal(valueOf(text, 'keyward_http_requests_total', { ...heartbeat, status: '200' }), 2)
    assert.equal(
      valueOf(text, 'keyward_http_requests_total', {
        method: 'GET',
        route: 'unmatched',
        status: '404',
      }),
      1
    )
    const bucket = (le: string) =>
      valueOf(text, 'keyward_http_request_duration_seconds_bucket', { ...heartbeat, le })
    assert.equal(bucket('0.005'), 1)
    assert.equal(bucket('0.025'), 2)
    assert.equal(bucket('+Inf'), 2)
  })

  test('session starts carry the refusal code only when refused', async ({ assert }) => {
    const metrics = new Metrics({ enabled: true })
    metrics.sessionStarted('created')
    metrics.sessionStartFailed(new ApiError('SESSION_LIMIT_REACHED'))
    metrics.sessionStartFailed(new ApiError('INTERNAL_ERROR'))
    metrics.sessionStartFailed(new Error('connection reset'))
    const text = await metrics.registry.metrics()
    const starts = 'keyward_session_starts_total'
    assert.equal(valueOf(text, starts, { outcome: 'created', code: '' }), 1)
    assert.equal(valueOf(text, starts, { outcome: 'refused', code: 'SESSION_LIMIT_REACHED' }), 1)
    // Faults are not refusals: they show as 5xx in the request metrics.
    assert.isFalse(hasSample(text, starts, { code: 'INTERNAL_ERROR' }))
    assert.equal(valueOf(text, starts, { outcome: 'resumed', code: '' }), 0)
  })

  test('refusalCodeOf: refusals by code, faults none', ({ assert }) => {
    assert.equal(refusalCodeOf(new ApiError('SESSION_NOT_FOUND')), 'SESSION_NOT_FOUND')
    assert.isNull(refusalCodeOf(new ApiError('SERVICE_UNAVAILABLE')))
    assert.isNull(refusalCodeOf(new Error('boom')))
  })

  test('disabled, it records nothing and collects no default metrics', async ({ assert }) => {
    const metrics = new Metrics({ enabled: false })
    metrics.collectDefaults()
    metrics.observeRequest('GET', '/health', 200, 0.001)
    metrics.sessionStarted('created')
    metrics.heartbeat('accepted')
    metrics.activated()
    metrics.rateLimited('api')
    metrics.apiRefused('RATE_LIMITED')
    const text = await metrics.registry.metrics()
    assert.isFalse(hasSample(text, 'keyward_http_requests_total'))
    assert.isFalse(hasSample(text, 'process_cpu_seconds_total'))
    assert.equal(valueOf(text, 'keyward_activations_total'), 0)
    assert.equal(valueOf(text, 'keyward_session_starts_total', { outcome: 'created', code: '' }), 0)
    assert.equal(valueOf(text, 'keyward_heartbeats_total', { outcome: 'accepted' }), 0)
    assert.isFalse(hasSample(text, 'keyward_rate_limited_total'))
  })

  test('the job worker counts runs by outcome and times them', async ({ assert }) => {
    const jobs = new JobMetrics({ defaultMetrics: false })
    jobs.record({ name: 'sessions:sweep', durationMs: 4 })
    jobs.record({ name: 'sessions:sweep', durationMs: 6, error: new Error('x') })
    const text = await jobs.registry.metrics()
    const runs = 'keyward_job_runs_total'
    assert.equal(valueOf(text, runs, { job_name: 'sessions:sweep', outcome: 'succeeded' }), 1)
    assert.equal(valueOf(text, runs, { job_name: 'sessions:sweep', outcome: 'failed' }), 1)
    assert.closeTo(
      valueOf(text, 'keyward_job_duration_seconds_sum', { job_name: 'sessions:sweep' }),
      0.01,
      1e-9
    )
  })
})
