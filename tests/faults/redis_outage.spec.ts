import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import { FaultLab } from '#tests/support/fault_lab'
import { Ledger, machineFingerprint, post, startMixedLoad } from '#tests/support/load_clients'
import { PanelClient } from '#tests/support/panel'
import { reportFigures, waitUntil } from '#tests/support/faults'

/** Requests from one made-up client address until the first 429, at most `limit + 5`. */
async function requestsUntilLimited(
  server: string,
  apiKey: string,
  address: string,
  limit: number
) {
  const ledger = new Ledger()
  for (let sent = 1; sent <= limit + 5; sent++) {
    const { outcome } = await post(
      ledger,
      server,
      '/api/license/verify',
      { license_key: 'AAAA-AAAA-AAAA-AAAA' },
      { 'x-api-key': apiKey, 'x-forwarded-for': address }
    )
    if (outcome.status === 429) return sent
  }
  return null
}

async function timedGet(client: PanelClient, path: string) {
  const startedAt = performance.now()
  const response = await client.get(path)
  return { ...response, ms: performance.now() - startedAt }
}

test.group('Faults: Redis stopped under load, then started again', (group) => {
  const RATE_LIMIT = 100
  let lab: FaultLab
  group.setup(async () => {
    lab = await FaultLab.start({
      env: {
        TRUST_PROXY: 'loopback',
        API_RATE_LIMIT: `${RATE_LIMIT} per minute`,
        SESSION_HEARTBEAT_INTERVAL: '1',
        SESSION_TIMEOUT: '3',
        SESSION_SWEEP_EVERY: '1s',
      },
    })
    return () => lab.destroy()
  })

  test('the API keeps answering, the panel says 503 at once, everything recovers by itself', async ({
    assert,
  }) => {
    const { apiKey, licenseKeys, admin } = await lab.seed({
      licenses: 32,
      maxDevices: 2,
      maxSessions: 1,
    })
    const server = await lab.startServer()
    const worker = lab.startWorker()
    const address = (index: number) => ({ 'x-forwarded-for': `10.0.0.${index + 1}` })
    const load = startMixedLoad({
      apiKey,
      licenseKeys,
      server: server.url,
      sessions: 15,
      devices: 15,
      everyMs: 700,
      headersFor: address,
    })
    const { ledger } = load

    // A program that crashes just before the outage: its session expires while Redis is down.
    const crashed = await post(
      new Ledger(),
      server.url,
      '/api/license/session/start',
      { license_key: licenseKeys[30], hardware_fingerprint: machineFingerprint() },
      { 'x-api-key': apiKey, ...address(30) }
    )
    assert.equal(crashed.outcome.status, 201)

    const panel = new PanelClient(server.url)
    assert.equal((await panel.login(admin.email, admin.password)).location, '/admin')
    assert.equal((await panel.get('/admin')).status, 200)
    assert.equal(
      await requestsUntilLimited(server.url, apiKey, '192.0.2.1', RATE_LIMIT),
      RATE_LIMIT + 1
    )
    await sleep(1500)

    // Redis goes away.
    const outageStart = Date.now()
    await lab.redis.stop()
    await sleep(300)
    const duringOutage = []
    for (const path of ['/admin', '/admin/licenses', '/admin/login', '/admin']) {
      duringOutage.push(await timedGet(panel, path))
    }
    for (const page of duringOutage) {
      assert.equal(page.status, 503)
      assert.equal(page.headers.get('retry-after'), '5')
      assert.include(page.body, 'Temporarily unavailable')
      assert.notMatch(page.body, /Error|at .+\.ts:\d+|ioredis/)
      assert.exists(page.headers.get('content-security-policy'))
    }
    const slowestPanelMs = Math.max(...duringOutage.map((page) => page.ms))
    assert.isBelow(slowestPanelMs, 500, 'the panel made a request wait for Redis')
    // A program started in the outage gets its session (and ends it).
    const fresh = { license_key: licenseKeys[31], hardware_fingerprint: machineFingerprint() }
    const started = await post(ledger, server.url, '/api/license/session/start', fresh, {
      'x-api-key': apiKey,
      ...address(31),
    })
    assert.equal(started.outcome.status, 201)
    const ended = await post(
      ledger,
      server.url,
      '/api/license/session/end',
      { session_token: started.json.session_token },
      { 'x-api-key': apiKey, ...address(31) }
    )
    assert.equal(ended.outcome.status, 200)
    // Without its counters the API does not refuse: the limit fails open.
    assert.isNull(await requestsUntilLimited(server.url, apiKey, '192.0.2.2', RATE_LIMIT))
    await sleep(Math.max(0, 6000 - (Date.now() - outageStart)))

    // Redis is back, empty (it keeps nothing on disk).
    const outageEnd = Date.now()
    await lab.redis.start()
    const relogin = new PanelClient(server.url)
    const panelBackMs = await waitUntil('the panel serves again', async () => {
      const page = await relogin.get('/admin/login')
      return page.status === 200
    })
    const login = await relogin.login(admin.email, admin.password)
    assert.equal(login.location, '/admin', 'a new login works')
    assert.equal((await relogin.get('/admin')).status, 200)
    // The old session was in the Redis that went away: it leads to the login form, not an error.
    assert.equal((await panel.get('/admin')).location, '/admin/login')
    const firstPage = await timedGet(relogin, '/admin/licenses')
    assert.equal(firstPage.status, 200)

    // Rate limiting counts again, without a restart.
    assert.equal(
      await requestsUntilLimited(server.url, apiKey, '192.0.2.3', RATE_LIMIT),
      RATE_LIMIT + 1
    )

    // The worker wrote its schedules again and caught up: the session that
    // expired during the outage is in the history, ended when it expired.
    await waitUntil('the expired session is swept', async () => {
      const rows = await lab.query(
        `SELECT h.end_reason FROM session_history h
           JOIN licenses l ON l.id = h.license_id WHERE l.key = $1`,
        [licenseKeys[30]]
      )
      return rows.length === 1 && rows[0].end_reason === 'timeout'
    })
    const sweptMs = Date.now() - outageEnd
    const [swept] = await lab.query(
      `SELECT h.ended_at FROM session_history h JOIN licenses l ON l.id = h.license_id WHERE l.key = $1`,
      [licenseKeys[30]]
    )
    assert.isBelow(swept.ended_at.getTime(), outageEnd, 'it ended when it expired, in the outage')

    await load.stop()

    // The client API answered every request, during the outage too.
    const api = ledger.outcomes
    const inOutage = api.filter((outcome) => outcome.at >= outageStart && outcome.at <= outageEnd)
    assert.deepEqual(
      api.filter((outcome) => outcome.status >= 500 || outcome.status === 0),
      [],
      'the API failed requests'
    )
    assert.isAbove(inOutage.length, 100)
    for (const path of ['start', 'heartbeat', 'activate', 'verify', 'deactivate']) {
      assert.isTrue(
        inOutage.some((outcome) => outcome.path.endsWith(path) && outcome.status < 300),
        `no ${path} succeeded during the outage`
      )
    }

    // One warning when Redis went, one when it came back; nothing at fatal level.
    const warnings = server.logLines().filter((line) => /^Redis is /.test(line.msg))
    assert.deepEqual(
      warnings.map((line) => [line.level, line.msg.replace(/[0-9.]+ s$/, 'N s')]),
      [
        [40, 'Redis is unreachable'],
        [40, 'Redis is reachable again after N s'],
      ]
    )
    assert.deepEqual(
      server.logLines().filter((line) => line.level >= 50),
      [],
      'the server logged errors'
    )
    assert.notMatch(worker.output(), /"level":60/, 'the worker logged at fatal level')

    const inOutageMs = inOutage.map((outcome) => outcome.ms)
    reportFigures('redis outage', {
      'outage seconds': ((outageEnd - outageStart) / 1000).toFixed(1),
      'API requests in the outage': inOutage.length,
      'API failures': 0,
      'API p99 ms in the outage': Ledger.percentile(inOutageMs, 99).toFixed(1),
      'API max ms in the outage': Math.max(...inOutageMs).toFixed(1),
      'slowest 503 panel page ms': slowestPanelMs.toFixed(1),
      'panel back after Redis, ms': panelBackMs,
      'first page after Redis returned, ms': firstPage.ms.toFixed(1),
      'expired session swept after Redis returned, ms': sweptMs,
    })
  }).timeout(120_000)
})
