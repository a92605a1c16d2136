import { once } from 'node:events'
import { hostname } from 'node:os'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { Redis } from 'ioredis'
import { DateTime } from 'luxon'
import type redisConfig from '#config/redis'
import Backup from '#models/backup'
import MonitoringFigures from '#services/monitoring/figures'
import MonitoringReport, { type MonitoringData } from '#services/monitoring/monitoring_report'
import MonitoringSampler from '#services/monitoring/sampler'
import MonitoringStore from '#services/monitoring/store'
import ServiceHealth from '#services/service_health'
import WorkerPresence from '#services/worker_presence'
import { Clock } from '#support/clock'
import { baseUrl, fingerprint, unique } from '#tests/support/fixtures'
import { httpMetrics } from '#tests/support/monitoring'
import { PanelClient, type PanelResponse, loggedInPanel } from '#tests/support/panel'
import { type ServerProcess, startServerProcess } from '#tests/support/server_process'
import { SessionClient, expectStatus } from '#tests/support/sessions'

type Data = MonitoringData & { display: { figures: Record<string, string> } }

function json(response: PanelResponse): Data {
  if (response.status !== 200) throw new Error(`data route answered ${response.status}`)
  return JSON.parse(response.body)
}

/** One "web process": its own registry with the two HTTP metrics, and its sampler. */
function webProcess(store: MonitoringStore, processId: string) {
  const { registry, requests, duration } = httpMetrics()
  const sampler = new MonitoringSampler(registry, store, { intervalMs: 1000, processId })
  /** `count` requests answered `status` in `seconds`. */
  const serve = (count: number, status: string, seconds: number) => {
    for (let index = 0; index < count; index++) {
      requests.inc({ method: 'GET', route: '/api/x', status })
      duration.observe({ method: 'GET', route: '/api/x' }, seconds)
    }
  }
  return { registry, sampler, serve }
}

/** A store of its own (keys under a fresh namespace), on the given Redis connection. */
async function scratchStore(connection?: Redis) {
  return new MonitoringStore(connection ?? (await app.container.make('redis')), {
    namespace: unique('monitoring_test'),
    bucketSeconds: 60,
    windowSeconds: 3600,
  })
}

async function reportOn(store: MonitoringStore) {
  const [figures, clock] = await Promise.all([
    app.container.make(MonitoringFigures),
    app.container.make(Clock),
  ])
  return new MonitoringReport(store, figures, clock)
}

test.group('Panel: monitoring page', () => {
  test('a guest is sent to the login; a plain admin sees the page', async ({ assert }) => {
    const guest = new PanelClient()
    for (const path of ['/admin/monitoring', '/admin/monitoring/data']) {
      const response = await guest.get(path)
      assert.equal(response.status, 302, path)
      assert.equal(response.location, '/admin/login', path)
    }

    const { client } = await loggedInPanel('admin')
    const page = await client.get('/admin/monitoring')
    assert.equal(page.status, 200, page.body.slice(0, 3000))
    assert.include(page.body, 'id="requests-chart"')
    assert.include(page.body, 'id="latency-chart"')
    assert.include(page.body, '/assets/monitoring.js')
    assert.match(page.body, /<script src="\/assets\/vendor\/chart\.umd\.min\.js\?v=[0-9a-f]+"/)
    // In the menu of every admin, marked as the current page.
    assert.match(page.body, /<a href="\/admin\/monitoring"[^>]*aria-current="page"/)

    const german = await loggedInPanel('admin')
    await german.admin.merge({ locale: 'de' }).save()
    assert.include((await german.client.get('/admin/monitoring')).body, 'Anfragerate und Fehler')
  })

  test('the data route counts the requests and errors sent to the server', async ({ assert }) => {
    const sampler = await app.container.make(MonitoringSampler)
    const health = await app.container.make(ServiceHealth)
    const { client } = await loggedInPanel('admin')
    // Everything so far is in the store; `before` is counted by the next sample.
    assert.equal(await sampler.sample(), 'written')
    const before = json(await client.get('/admin/monitoring/data'))

    for (let index = 0; index < 6; index++) {
      assert.equal((await fetch(`${baseUrl()}/health`)).status, 200)
    }
    for (let index = 0; index < 4; index++) {
      assert.equal((await fetch(`${baseUrl()}/${unique('no-such-page')}`)).status, 404)
    }
    // Two 503s: the panel refuses at once while Redis is known to be down.
    health.markDown('redis', 'monitoring test')
    try {
      for (let index = 0; index < 2; index++) {
        assert.equal((await client.get('/admin/monitoring')).status, 503)
      }
      // Sampling skips while Redis is down, and keeps what it has not written.
      assert.equal(await sampler.sample(), 'skipped')
    } finally {
      health.markUp('redis')
    }
    assert.equal(await sampler.sample(), 'written')
    const after = json(await client.get('/admin/monitoring/data'))

    const grew = (statusClass: '2xx' | '4xx' | '5xx') =>
      after.http!.window.byClass[statusClass] - before.http!.window.byClass[statusClass]
    assert.equal(grew('2xx'), 6 + 1)
    assert.equal(grew('4xx'), 4)
    assert.equal(grew('5xx'), 2)
    assert.equal(after.http!.window.requests - before.http!.window.requests, 13)
    assert.isAbove(after.http!.recent.serverErrorShare!, 0)

    const { p50, p99 } = after.http!.window
    assert.isNotNull(p99)
    assert.isAbove(p99!, 0)
    assert.isAtMost(p99!, 10)
    assert.isAtMost(p50!, p99!)
    // The last point is the current minute, and it has this process's samples.
    const last = after.http!.points.at(-1)!
    assert.isAbove(last.requestsPerSecond!, 0)
    assert.lengthOf(after.http!.points, 60)
    assert.include(
      after.http!.processes.map((process) => process.id),
      sampler.processId
    )
    assert.match(after.display.figures.p99, /^\d+(\.\d)? ms$|^\d+\.\d\d s$/)
  })

  test('two web processes add up, and quantiles come from their summed buckets', async ({
    assert,
  }) => {
    const store = await scratchStore()
    const one = webProcess(store, 'web-1')
    const two = webProcess(store, 'web-2')
    one.serve(94, '200', 0.003)
    one.serve(1, '500', 0.003)
    two.serve(3, '200', 0.7)
    two.serve(2, '404', 0.7)
    assert.equal(await one.sampler.sample(), 'written')
    assert.equal(await two.sampler.sample(), 'written')

    const report = await reportOn(store)
    const http = await report.http()
    assert.deepEqual(http.window.byClass, { '1xx': 0, '2xx': 97, '3xx': 0, '4xx': 2, '5xx': 1 })
    assert.equal(http.window.serverErrorShare, 0.01)
    // rank 99 of 100: 95 observations at or below 0.005, 5 in (0.5, 1]
    assert.closeTo(http.window.p99!, 0.5 + 0.5 * (4 / 5), 1e-6)
    assert.closeTo(http.window.p50!, 0.005 * (50 / 95), 1e-6)
    assert.sameMembers(
      http.processes.map((process) => process.id),
      ['web-1', 'web-2']
    )

    // A sample with nothing new adds nothing; a counter reset counts from 0.
    assert.equal(await two.sampler.sample(), 'written')
    one.registry.resetMetrics()
    one.serve(2, '200', 0.003)
    assert.equal(await one.sampler.sample(), 'written')
    const again = await report.http()
    assert.equal(again.window.byClass['2xx'], 99)
    assert.equal(again.window.requests, 102)
  })

  test('a Redis connection that is lost skips samples and loses nothing', async ({ assert }) => {
    const { connections } = app.config.get<typeof redisConfig>('redis')
    const connection = new Redis({
      ...connections.main,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    })
    await connection.connect()
    try {
      const store = await scratchStore(connection)
      const web = webProcess(store, 'web-1')
      web.serve(5, '200', 0.003)
      const ended = once(connection, 'end')
      connection.disconnect()
      await ended
      assert.equal(await web.sampler.sample(), 'skipped')
      web.serve(3, '200', 0.003)
      await connection.connect()
      assert.equal(await web.sampler.sample(), 'written')
      const http = await (await reportOn(store)).http()
      assert.equal(http.window.byClass['2xx'], 8)
    } finally {
      connection.disconnect()
    }
  })

  test('the figures of the moment: sessions, database, Redis, jobs, backups', async ({
    client: apiClient,
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const before = json(await client.get('/admin/monitoring/data'))
    assert.equal(before.database.status, 'up')
    assert.equal(before.redis.status, 'up')
    assert.isNumber(before.redis.latencyMs)
    assert.deepEqual(Object.keys(before.jobs.queue!).sort(), [
      'active',
      'delayed',
      'failed',
      'waiting',
    ])

    const { api } = await SessionClient.forLicense(apiClient)
    await expectStatus(api.start(fingerprint()), 201)
    const presence = new WorkerPresence()
    await presence.beat(unique('worker'))
    await presence.recordRun({ name: unique('job'), durationMs: 12, error: new Error('boom') })
    await Backup.query().delete()
    await Backup.create({
      name: `${unique('backup')}.tar`,
      status: 'succeeded',
      trigger: 'cli',
      progress: 100,
      sizeBytes: 2048,
      encrypted: true,
      finishedAt: DateTime.utc().minus({ hours: 1 }),
    })

    const after = json(await client.get('/admin/monitoring/data'))
    assert.equal(after.sessionsLive, before.sessionsLive! + 1)
    assert.equal(after.jobs.status, 'up')
    const failed = after.jobs.lastRuns.find((run) => run.error === 'boom')
    assert.equal(failed?.outcome, 'failed')
    assert.equal(after.backup.status, 'up')
    assert.equal(after.backup.lastSizeBytes, 2048)
    assert.equal(after.display.figures['backup.lastSize'], '2.0 KiB')

    // The last attempt failed: down, with its error.
    await Backup.create({
      status: 'failed',
      trigger: 'schedule',
      progress: 40,
      encrypted: true,
      error: 'disk full',
      finishedAt: DateTime.utc(),
    })
    const failing = json(await client.get('/admin/monitoring/data'))
    assert.equal(failing.backup.status, 'down')
    assert.equal(failing.backup.lastError, 'disk full')
    const page = await client.get('/admin/monitoring')
    assert.match(page.body, /class="badge badge-danger" data-status="backup"/)
    assert.include(page.body, 'disk full')
  })
})

/** Asks `check` every 100 ms until it answers true, for at most `ms`. */
async function until(check: () => Promise<boolean>, ms: number, what: string) {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

test.group('Panel: monitoring across server processes', () => {
  test('web processes sample on their own and add up; none with metrics off', async ({
    assert,
    cleanup,
  }) => {
    const servers: ServerProcess[] = []
    cleanup(async () => {
      await Promise.all(servers.map((server) => server.stop()))
    })
    const env = { MONITORING_SAMPLE_INTERVAL: '1' }
    const [one, two, off] = await Promise.all([
      startServerProcess(env),
      startServerProcess(env),
      startServerProcess({ ...env, METRICS_ENABLED: 'false' }),
    ])
    servers.push(one, two, off)
    const idOf = (server: ServerProcess) => `${hostname()}:${server.pid}`
    const report = await app.container.make(MonitoringReport)
    const reported = async () => {
      const http = await report.http()
      return new Map(http.processes.map((process) => [process.id, Date.parse(process.at)]))
    }

    // Both have sampled (their start-up probes are in the store by then).
    await until(
      async () => {
        const ids = await reported()
        return ids.has(idOf(one)) && ids.has(idOf(two))
      },
      15_000,
      'both processes to sample'
    )
    const before = (await report.http()).window

    for (let index = 0; index < 3; index++) {
      assert.equal((await fetch(`${one.url}/health`)).status, 200)
    }
    for (let index = 0; index < 2; index++) {
      assert.equal((await fetch(`${two.url}/${unique('missing')}`)).status, 404)
      assert.equal((await fetch(`${off.url}/${unique('missing')}`)).status, 404)
    }
    let after = before
    await until(
      async () => {
        after = (await report.http()).window
        return after.requests - before.requests >= 5
      },
      15_000,
      'the requests to show up'
    )
    assert.equal(after.byClass['2xx'] - before.byClass['2xx'], 3)
    assert.equal(after.byClass['4xx'] - before.byClass['4xx'], 2)

    // Two more samples of each process later, the one with metrics off has written none.
    const seen = await reported()
    await until(
      async () => {
        const now = await reported()
        return [one, two].every(
          (server) => (now.get(idOf(server)) ?? 0) >= (seen.get(idOf(server)) ?? 0) + 2000
        )
      },
      15_000,
      'two more samples'
    )
    assert.isFalse((await reported()).has(idOf(off)))
    assert.equal((await report.http()).window.requests, after.requests)

    // A process that is told to stop stops sampling and exits cleanly.
    await one.stop()
    assert.equal(one.child.exitCode, 0)
  }).timeout(90_000)
})
