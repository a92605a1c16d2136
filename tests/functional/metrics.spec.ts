import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import { Queue } from 'bullmq'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import type redisConfig from '#config/redis'
import type { MetricsConfig } from '#config/metrics'
import panelConfig from '#config/panel'
import type { DomainError } from '#exceptions/domain_error'
import Backup from '#models/backup'
import { bullmqOptionsFrom } from '#services/job_scheduler'
import PanelLoginService from '#services/panel_login_service'
import WorkerPresence from '#services/worker_presence'
import { freePort } from '../../bin/preflight.ts'
import {
  baseUrl,
  createLicense,
  fingerprint,
  newApiKey,
  rawRequest,
  unique,
} from '#tests/support/fixtures'
import { SessionClient, bodyOf, restoreClock, useFixedClock } from '#tests/support/sessions'
import { spawnAppProcess, startServerProcess } from '#tests/support/server_process'
import { hasSample, promtoolCheck, scrape, valueOf } from '#tests/support/metrics'

const TOKEN = 'metrics-token-for-tests-0123456789'
/** An allow-list that leaves out the loopback addresses the tests connect from. */
const ELSEWHERE = '10.9.9.9,192.0.2.0/24'

/** The in-process server's metrics (the tests connect from 127.0.0.1, allowed by default). */
async function metricsText() {
  const { status, text } = await scrape(baseUrl())
  if (status !== 200) throw new Error(`/metrics answered ${status}: ${text}`)
  return text
}

/** Gauges read at scrape time are not reused between two scrapes of a test. */
function freshGauges(cleanup: (fn: () => void) => void) {
  const before = app.config.get<MetricsConfig>('metrics').gaugeCacheMs
  app.config.set('metrics.gaugeCacheMs', 0)
  cleanup(() => app.config.set('metrics.gaugeCacheMs', before))
}

function assertNoKeywardLint(
  assert: { fail(message: string): never; notEqual(a: unknown, b: unknown, m?: string): void },
  result: { code: number | null; problems: string[] }
) {
  // 3: lint findings only; they may name prom-client's own default metrics, never ours.
  assert.notEqual(result.code, 1, `promtool refused the exposition:\n${result.problems.join('\n')}`)
  if (result.code !== 0 && result.code !== 3) assert.fail(`promtool exited ${result.code}`)
  const ours = result.problems.filter((line) => line.includes('keyward_'))
  if (ours.length > 0) assert.fail(`promtool found problems in our metrics:\n${ours.join('\n')}`)
}

test.group('Metrics: who may read them', () => {
  test('refuses a missing or wrong token from elsewhere; the right token reads them', async ({
    assert,
    cleanup,
  }) => {
    const server = await startServerProcess({ METRICS_TOKEN: TOKEN, METRICS_ALLOW: ELSEWHERE })
    cleanup(() => server.stop())

    for (const headers of [
      {},
      { authorization: 'Bearer wrong-token-of-the-same-length-012' },
      { authorization: `Basic ${TOKEN}` },
      { authorization: `Bearer ${TOKEN}x` },
      // Not believed: no proxy is trusted (TRUST_PROXY), so the address is the socket's.
      { 'x-forwarded-for': '10.9.9.9' },
    ] as Record<string, string>[]) {
      const refused = await scrape(server.url, headers)
      assert.equal(refused.status, 401, JSON.stringify(headers))
      assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="metrics"')
      assert.deepEqual(JSON.parse(refused.text), {
        error: { code: 'UNAUTHORIZED', message: 'A valid bearer token is required.' },
      })
    }

    const read = await scrape(server.url, { authorization: `Bearer ${TOKEN}` })
    assert.equal(read.status, 200)
    assert.match(read.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/)
    // The refusals were counted like any request, by route pattern and status.
    assert.equal(
      valueOf(read.text, 'keyward_http_requests_total', {
        method: 'GET',
        route: '/metrics',
        status: '401',
      }),
      5
    )
  }).timeout(60_000)

  test('behind a trusted proxy (TRUST_PROXY) the client address forwarded is the one checked', async ({
    assert,
    cleanup,
  }) => {
    const server = await startServerProcess({
      METRICS_TOKEN: TOKEN,
      METRICS_ALLOW: ELSEWHERE,
      TRUST_PROXY: 'loopback',
    })
    cleanup(() => server.stop())
    assert.equal((await scrape(server.url, { 'x-forwarded-for': '10.9.9.9' })).status, 200)
    assert.equal((await scrape(server.url, { 'x-forwarded-for': '192.0.2.10' })).status, 200)
    assert.equal((await scrape(server.url, { 'x-forwarded-for': '10.9.9.10' })).status, 401)
    assert.equal((await scrape(server.url)).status, 401)
  }).timeout(60_000)

  test('an address in METRICS_ALLOW reads them without a token', async ({ assert }) => {
    // The suite's own server: METRICS_ALLOW defaults to 127.0.0.1 and ::1, and no token is set.
    const read = await scrape(baseUrl())
    assert.equal(read.status, 200)
    assert.include(read.text, '# TYPE keyward_http_requests_total counter')
  })

  test('METRICS_ENABLED=false: no /metrics route, the API works as before', async ({
    assert,
    cleanup,
  }) => {
    const server = await startServerProcess({ METRICS_ENABLED: 'false' })
    cleanup(() => server.stop())
    const response = await fetch(`${server.url}/metrics`)
    assert.equal(response.status, 404)
    assert.notInclude(await response.text(), 'keyward_')
    assert.equal((await fetch(`${server.url}/health`)).status, 200)
  }).timeout(60_000)
})

test.group('Metrics: what they count', (group) => {
  group.each.teardown(() => restoreClock())

  test('session starts, heartbeats, activations and refusals move their counters', async ({
    client,
    assert,
  }) => {
    const { api, license } = await SessionClient.forLicense(client)
    const device = fingerprint()
    const other = fingerprint()
    const before = await metricsText()
    const delta = (after: string, name: string, labels: Record<string, string> = {}) =>
      valueOf(after, name, labels) - valueOf(before, name, labels)

    const session = await bodyOf(api.start(device)) // created: binds the device too
    await bodyOf(api.start(device)) // the same device resumes
    const refused = await api.start(other) // one session only: refused
    refused.assertStatus(409)
    ;(await api.heartbeat(session.session_token)).assertStatus(200)
    ;(await api.heartbeat(session.session_token)).assertStatus(200)
    ;(await api.heartbeat('no-such-session-token-000000000000')).assertStatus(404)
    ;(await api.deactivate(device)).assertStatus(200)

    // An activation of its own, on a license without sessions.
    const second = await createLicense({ type: 'perpetual' })
    const activated = await rawRequest('/api/license/activate', {
      body: JSON.stringify({ license_key: second.key, hardware_fingerprint: other }),
      headers: { 'x-api-key': api.apiKey },
    })
    assert.equal(activated.status, 201)
    // A second activation of the same device binds nothing new.
    const again = await rawRequest('/api/license/activate', {
      body: JSON.stringify({ license_key: second.key, hardware_fingerprint: other }),
      headers: { 'x-api-key': api.apiKey },
    })
    assert.equal(again.status, 200)
    const noKey = await rawRequest('/api/license/session/heartbeat', { body: '{}' })
    assert.equal(noKey.status, 401)

    const after = await metricsText()
    const starts = 'keyward_session_starts_total'
    assert.equal(delta(after, starts, { outcome: 'created', code: '' }), 1)
    assert.equal(delta(after, starts, { outcome: 'resumed', code: '' }), 1)
    assert.equal(delta(after, starts, { outcome: 'replaced', code: '' }), 0)
    assert.equal(delta(after, starts, { outcome: 'refused', code: 'SESSION_LIMIT_REACHED' }), 1)
    assert.equal(delta(after, 'keyward_heartbeats_total', { outcome: 'accepted' }), 2)
    assert.equal(delta(after, 'keyward_heartbeats_total', { outcome: 'refused' }), 1)
    // The session start's binding and the activation; the repeated activation bound nothing.
    assert.equal(delta(after, 'keyward_activations_total'), 2)
    assert.equal(delta(after, 'keyward_deactivations_total'), 1)
    const refusals = 'keyward_api_refusals_total'
    assert.equal(delta(after, refusals, { code: 'SESSION_LIMIT_REACHED' }), 1)
    assert.equal(delta(after, refusals, { code: 'SESSION_NOT_FOUND' }), 1)
    assert.equal(delta(after, refusals, { code: 'INVALID_API_KEY' }), 1)
    const heartbeatRoute = { method: 'POST', route: '/api/license/session/heartbeat' }
    const requests = 'keyward_http_requests_total'
    assert.equal(delta(after, requests, { ...heartbeatRoute, status: '200' }), 2)
    assert.equal(delta(after, requests, { ...heartbeatRoute, status: '404' }), 1)
    assert.equal(delta(after, requests, { ...heartbeatRoute, status: '401' }), 1)
    assert.equal(
      delta(after, 'keyward_http_request_duration_seconds_count', heartbeatRoute),
      4,
      'every heartbeat request is timed'
    )

    // Labels never carry a license key, a fingerprint, a token or an address.
    for (const secret of [license.key, second.key, device, other, session.session_token]) {
      assert.notInclude(after, secret)
    }
    assert.notInclude(after, '127.0.0.1')
  })

  test('the API rate limit counts its refusals, under the route they were sent to', async ({
    assert,
    cleanup,
  }) => {
    const server = await startServerProcess({ API_RATE_LIMIT: '2 per minute' })
    cleanup(() => server.stop())
    const statuses = []
    for (let attempt = 0; attempt < 3; attempt++) {
      const response = await fetch(`${server.url}/api/license/session/heartbeat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
      statuses.push(response.status)
    }
    assert.deepEqual(statuses, [401, 401, 429])
    const { text } = await scrape(server.url)
    assert.equal(valueOf(text, 'keyward_rate_limited_total', { scope: 'api' }), 1)
    assert.equal(valueOf(text, 'keyward_api_refusals_total', { code: 'RATE_LIMITED' }), 1)
    assert.equal(valueOf(text, 'keyward_api_refusals_total', { code: 'INVALID_API_KEY' }), 2)
    assert.equal(
      valueOf(text, 'keyward_http_requests_total', {
        method: 'POST',
        route: '/api/license/session/heartbeat',
        status: '429',
      }),
      1
    )
  }).timeout(60_000)

  test('the panel login lockout counts each refusal it causes', async ({ assert }) => {
    const logins = await app.container.make(PanelLoginService)
    const email = `${unique('nobody')}@example.com`
    const ip = '192.0.2.77'
    const lockouts = () =>
      metricsText().then((text) =>
        valueOf(text, 'keyward_rate_limited_total', { scope: 'panel_login' })
      )
    const before = await lockouts()
    const { maxAttempts } = panelConfig.login
    const outcomes: string[] = []
    for (let attempt = 0; attempt <= maxAttempts; attempt++) {
      try {
        outcomes.push(String(await logins.checkPassword(email, 'wrong password', ip)))
      } catch (error) {
        outcomes.push((error as DomainError).code ?? String(error))
      }
    }
    // The last allowed failure locks, and the attempt after it is refused at once.
    assert.deepEqual(outcomes.slice(-2), ['login_locked', 'login_locked'])
    assert.equal((await lockouts()) - before, 2)
  })

  test('a path no route matches is counted as "unmatched", not by its path', async ({ assert }) => {
    const path = `/${unique('nowhere')}`
    const before = await metricsText()
    assert.equal((await fetch(`${baseUrl()}${path}`)).status, 404)
    const after = await metricsText()
    const labels = { method: 'GET', route: 'unmatched', status: '404' }
    assert.equal(
      valueOf(after, 'keyward_http_requests_total', labels) -
        valueOf(before, 'keyward_http_requests_total', labels),
      1
    )
    assert.notInclude(after, path)
  })

  test('the exposition passes promtool check metrics', async ({ client, assert }) => {
    const { api } = await SessionClient.forLicense(client)
    const session = await bodyOf(api.start(fingerprint()))
    await api.heartbeat(session.session_token)
    const result = await promtoolCheck(await metricsText())
    assertNoKeywardLint(assert, result)
  })
})

test.group('Metrics: gauges read at scrape time', (group) => {
  group.each.teardown(() => restoreClock())

  test('live sessions come from the database, by the live rule', async ({
    client,
    assert,
    cleanup,
  }) => {
    freshGauges(cleanup)
    const clock = useFixedClock()
    const before = valueOf(await metricsText(), 'keyward_sessions_live')
    const { api } = await SessionClient.forLicense(client)
    await bodyOf(api.start(fingerprint()))
    assert.equal(valueOf(await metricsText(), 'keyward_sessions_live'), before + 1)
    // Past its timeout the session is no longer live, though its row is still there.
    clock.advance({ minutes: 5 })
    const later = valueOf(await metricsText(), 'keyward_sessions_live')
    assert.isBelow(later, before + 1)
  })

  test('the last backup, the worker and each job come from their records', async ({
    assert,
    cleanup,
  }) => {
    freshGauges(cleanup)
    // Later than any other row of the run, so it is the newest.
    const finishedAt = DateTime.utc().plus({ years: 5 }).startOf('second')
    const succeeded = await Backup.create({
      name: `${unique('metrics')}.tar`,
      status: 'succeeded',
      trigger: 'cli',
      phase: 'done',
      progress: 100,
      sizeBytes: 123_456,
      encrypted: false,
      startedAt: finishedAt.minus({ minutes: 1 }),
      finishedAt,
    })
    cleanup(() => succeeded.delete())
    const presence = new WorkerPresence()
    const beatAt = Date.now() - 2000
    await presence.beat(unique('test-worker'), beatAt)
    const job = unique('metrics:job')
    await presence.recordRun({ name: job, durationMs: 12 }, beatAt)

    let text = await metricsText()
    assert.equal(
      valueOf(text, 'keyward_backup_last_success_timestamp_seconds'),
      finishedAt.toSeconds()
    )
    assert.equal(valueOf(text, 'keyward_backup_last_size_bytes'), 123_456)
    assert.equal(valueOf(text, 'keyward_backup_last_run_failed'), 0)
    assert.equal(valueOf(text, 'keyward_backup_last_upload_failed'), 0)
    succeeded.uploadError = 'exit code 1: rclone: remote not found'
    await succeeded.save()
    text = await metricsText()
    assert.equal(valueOf(text, 'keyward_backup_last_upload_failed'), 1)
    assert.isAtLeast(valueOf(text, 'keyward_job_worker_last_seen_timestamp_seconds'), beatAt / 1000)
    assert.equal(
      valueOf(text, 'keyward_job_last_success_timestamp_seconds', { job_name: job }),
      beatAt / 1000
    )

    const failed = await Backup.create({
      name: null,
      status: 'failed',
      trigger: 'schedule',
      phase: 'dump',
      progress: 10,
      encrypted: false,
      error: 'disk full',
      startedAt: finishedAt,
      finishedAt: finishedAt.plus({ minutes: 1 }),
    })
    cleanup(() => failed.delete())
    text = await metricsText()
    assert.equal(valueOf(text, 'keyward_backup_last_run_failed'), 1)
    // The last success stays the last success.
    assert.equal(
      valueOf(text, 'keyward_backup_last_success_timestamp_seconds'),
      finishedAt.toSeconds()
    )
  })

  test('pool, queue, up gauges, disks and host are there', async ({ assert }) => {
    const text = await metricsText()
    assert.equal(valueOf(text, 'keyward_database_up'), 1)
    assert.equal(valueOf(text, 'keyward_redis_up'), 1)
    for (const state of ['used', 'free', 'pending']) {
      assert.isTrue(hasSample(text, 'keyward_db_pool_connections', { state }), state)
    }
    for (const state of ['waiting', 'active', 'delayed', 'failed']) {
      assert.isTrue(hasSample(text, 'keyward_queue_jobs', { state }), state)
    }
    const storage = app.makePath('storage')
    assert.isAbove(valueOf(text, 'keyward_disk_size_bytes', { path: storage }), 0)
    assert.isAbove(valueOf(text, 'keyward_disk_free_bytes', { path: storage }), 0)
    assert.isAbove(valueOf(text, 'keyward_host_cpus'), 0)
    assert.isAbove(valueOf(text, 'keyward_host_cpu_seconds_total', { mode: 'user' }), 0)
    assert.isAbove(valueOf(text, 'keyward_host_memory_total_bytes'), 0)
    assert.isAbove(valueOf(text, 'keyward_host_memory_available_bytes'), 0)
    // prom-client's default metrics, without a prefix.
    assert.isTrue(hasSample(text, 'process_cpu_seconds_total'))
    assert.isTrue(hasSample(text, 'process_resident_memory_bytes'))
    assert.isTrue(hasSample(text, 'nodejs_eventloop_lag_p99_seconds'))
  })

  test('with PostgreSQL and Redis away the scrape still answers, quickly, with *_up 0', async ({
    assert,
    cleanup,
  }) => {
    const closed = await freePort()
    const server = await startServerProcess({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closed}/keyward`,
      REDIS_URL: `redis://127.0.0.1:${closed}/0`,
    })
    cleanup(() => server.stop())
    const startedAt = performance.now()
    const { status, text } = await scrape(server.url)
    const tookMs = performance.now() - startedAt
    assert.equal(status, 200)
    assert.isBelow(tookMs, 3000)
    assert.isTrue(hasSample(text, 'keyward_database_up'))
    assert.equal(valueOf(text, 'keyward_database_up'), 0)
    assert.isTrue(hasSample(text, 'keyward_redis_up'))
    assert.equal(valueOf(text, 'keyward_redis_up'), 0)
    // Unknown is not zero: the series that need the database are left out.
    assert.isFalse(hasSample(text, 'keyward_sessions_live'))
    assert.isTrue(hasSample(text, 'process_cpu_seconds_total'))
  }).timeout(60_000)
})

test.group('Metrics: the job worker', () => {
  test('jobs:work serves its job counters on JOBS_METRICS_PORT, beats and records runs', async ({
    assert,
    cleanup,
  }) => {
    const port = await freePort()
    const worker = spawnAppProcess(['ace.ts', 'jobs:work'], {
      SESSION_SWEEP_EVERY: '1s',
      JOBS_METRICS_PORT: String(port),
      METRICS_TOKEN: TOKEN,
      METRICS_ALLOW: ELSEWHERE,
    })
    cleanup(async () => {
      await worker.kill()
      const queue = new Queue(
        'keyward',
        bullmqOptionsFrom(app.config.get<typeof redisConfig>('redis'))
      )
      await queue.obliterate({ force: true })
      await queue.close()
    })
    const base = `http://127.0.0.1:${port}`
    const auth = { authorization: `Bearer ${TOKEN}` }
    const runs = { job_name: 'sessions:sweep', outcome: 'succeeded' }

    let text = ''
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline && worker.child.exitCode === null) {
      try {
        const read = await scrape(base, auth)
        if (read.status === 200 && valueOf(read.text, 'keyward_job_runs_total', runs) >= 1) {
          text = read.text
          break
        }
      } catch {}
      await sleep(200)
    }
    assert.isAtLeast(
      valueOf(text, 'keyward_job_runs_total', runs),
      1,
      `no sweep counted; output:\n${worker.output()}`
    )
    assert.isAtLeast(
      valueOf(text, 'keyward_job_duration_seconds_count', { job_name: 'sessions:sweep' }),
      1
    )
    assert.isTrue(hasSample(text, 'process_cpu_seconds_total'))
    // Its own registry: the web processes' request metrics and gauges are not repeated here.
    assert.isFalse(text.includes('keyward_http_requests_total'))
    assertNoKeywardLint(assert, await promtoolCheck(text))

    const refused = await scrape(base)
    assert.equal(refused.status, 401)
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="metrics"')
    assert.equal(JSON.parse(refused.text).error.code, 'UNAUTHORIZED')
    assert.equal((await fetch(`${base}/elsewhere`, { headers: auth })).status, 404)

    // It beats, and records how each run went, for readiness and the web processes' gauges.
    const presence = new WorkerPresence()
    const lastSeen = await presence.lastSeen()
    assert.isNotNull(lastSeen)
    assert.isBelow(Date.now() - lastSeen!.getTime(), 10_000)
    const sweep = (await presence.lastRuns()).find((run) => run.job === 'sessions:sweep')
    assert.equal(sweep?.outcome, 'succeeded')

    await worker.stop()
    assert.equal(worker.child.exitCode, 0, `the worker did not stop cleanly:\n${worker.output()}`)
  }).timeout(60_000)
})

test.group('Metrics: the API key', () => {
  test('a created API key is never a label', async ({ assert }) => {
    const key = await newApiKey()
    await rawRequest('/api/license/session/heartbeat', {
      body: '{}',
      headers: { 'x-api-key': key },
    })
    assert.notInclude(await metricsText(), key)
  })
})
