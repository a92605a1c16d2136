import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import { FaultLab } from '#tests/support/fault_lab'
import { Ledger, startMixedLoad, type Outcome } from '#tests/support/load_clients'
import { PanelClient } from '#tests/support/panel'
import { reportFigures, waitUntil } from '#tests/support/faults'

/** Milliseconds from `since` to the first success of the load. */
function firstSuccessAfter(ledger: Ledger, since: number) {
  const first = ledger.outcomes
    .filter((outcome) => outcome.at >= since && outcome.status >= 200 && outcome.status < 300)
    .sort((left, right) => left.at - right.at)[0]
  return first ? first.at - since : null
}

const describe = (outcomes: Outcome[]) => JSON.stringify(new Ledger().byStatus(outcomes))

test.group('Faults: PostgreSQL restarted and stopped under load', (group) => {
  let lab: FaultLab
  group.setup(async () => {
    // Sessions outlive the outage: a missed heartbeat is not a lost session.
    lab = await FaultLab.start({
      env: { SESSION_HEARTBEAT_INTERVAL: '2', SESSION_TIMEOUT: '30' },
    })
    return () => lab.destroy()
  })

  test('requests in the outage answer 503 in the API format; service resumes by itself', async ({
    assert,
  }) => {
    const { apiKey, licenseKeys, admin } = await lab.seed({ licenses: 30, maxDevices: 2 })
    const server = await lab.startServer()
    const load = startMixedLoad({
      apiKey,
      licenseKeys,
      server: server.url,
      sessions: 20,
      devices: 10,
      everyMs: 150,
    })
    const { ledger, sessions } = load
    await waitUntil('every program has its session', async () =>
      sessions.every((client) => client.token !== null)
    )
    const tokensBefore = sessions.map((client) => client.token)
    await sleep(1000)

    // An operator restarts PostgreSQL: every connection of the pool is ended.
    const restartAt = Date.now()
    await lab.postgres.restart('fast')
    const restarted = Date.now()
    await sleep(3000)
    const backAfterRestartMs = firstSuccessAfter(ledger, restarted)

    // PostgreSQL is down for 10 s.
    const stopAt = Date.now()
    await lab.postgres.stop('fast')
    await sleep(500)
    const panel = new PanelClient(server.url)
    const loginPage = await panel.get('/admin/login')
    assert.equal(loginPage.status, 503)
    assert.equal(loginPage.headers.get('retry-after'), '5')
    assert.include(loginPage.body, 'Temporarily unavailable')
    assert.notMatch(loginPage.body, /ECONNREFUSED|5432|at .+\.ts:\d+/)
    await sleep(10_000 - (Date.now() - stopAt))
    const startAt = Date.now()
    await lab.postgres.start()
    const started = Date.now()
    await sleep(3000)
    const backAfterStopMs = firstSuccessAfter(ledger, started)

    await load.stop()

    // Nothing but business answers and 503s; every 503 in the API's format.
    const failures = ledger.where((outcome) => outcome.status >= 500 || outcome.status === 0)
    const notUnavailable = failures.filter(
      (outcome) =>
        outcome.status !== 503 ||
        outcome.code !== 'SERVICE_UNAVAILABLE' ||
        outcome.retryAfter !== '5'
    )
    const errors = server.logLines().filter((line) => line.level >= 50)
    assert.deepEqual(
      notUnavailable,
      [],
      `not a 503 SERVICE_UNAVAILABLE: ${describe(failures)}; logged: ${JSON.stringify(errors)}`
    )
    const inStop = ledger.where((outcome) => outcome.at > stopAt + 500 && outcome.at < startAt)
    assert.isAbove(inStop.length, 100)
    assert.isTrue(
      inStop.every((outcome) => outcome.status === 503),
      `while stopped: ${describe(inStop)}`
    )

    // It serves again within a few seconds, without a restart, on new
    // connections with their statements prepared again (heartbeats use them).
    assert.isNotNull(backAfterRestartMs)
    assert.isNotNull(backAfterStopMs)
    assert.isBelow(backAfterRestartMs!, 3000)
    assert.isBelow(backAfterStopMs!, 3000)
    const heartbeatsAfter = ledger.where(
      (outcome) => outcome.at > started && outcome.path.endsWith('heartbeat')
    )
    assert.isAbove(heartbeatsAfter.filter((outcome) => outcome.status === 200).length, 50)
    // The sessions lived through it: the same tokens still beat.
    const tokensAfter = sessions.map((client) => [...client.okHeartbeats.keys()].at(-1))
    assert.deepEqual(tokensAfter, tokensBefore)
    assert.equal((await panel.login(admin.email, admin.password)).location, '/admin')

    // Each outage is said once going and once coming back, not once per request (a
    // connection that dies just after the pool's first new one may add a pair).
    const said = server
      .logLines()
      .filter((line) => /^PostgreSQL is /.test(line.msg))
      .map((line) => line.msg.replace(/[0-9.]+ s$/, 'N s'))
    const pairs = said.length / 2
    assert.isTrue(Number.isInteger(pairs) && pairs >= 2 && pairs <= 3, JSON.stringify(said))
    said.forEach((message, index) =>
      assert.equal(
        message,
        index % 2 === 0 ? 'PostgreSQL is unreachable' : 'PostgreSQL is reachable again after N s'
      )
    )
    assert.deepEqual(
      server.logLines().filter((line) => line.level >= 50),
      [],
      'the server logged errors'
    )

    reportFigures('database outage', {
      'requests': ledger.outcomes.length,
      'answered 503 (restart)': ledger.where(
        (outcome) => outcome.status === 503 && outcome.at < stopAt
      ).length,
      'restart took ms': restarted - restartAt,
      'first success after restart, ms': backAfterRestartMs!,
      'answered 503 while stopped for 10 s': inStop.length,
      'first success after start, ms': backAfterStopMs!,
      'answered 500': 0,
    })
  }).timeout(120_000)
})
