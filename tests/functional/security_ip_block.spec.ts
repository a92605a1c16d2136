import { randomInt } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type securityConfig from '#config/security'
import BlockedIpService from '#services/blocked_ip_service'
import SecurityAlerts from '#services/security/security_alerts'
import { cliActor } from '#support/actor'
import { generateLicenseKey } from '#support/license_keys'
import { createLicense, fingerprint, newApiKey } from '#tests/support/fixtures'
import { lastAuditId, auditRowsAfter } from '#tests/support/panel'
import { alertsAbout, runDetectors } from '#tests/support/security'
import { startServerProcess, type ServerProcess } from '#tests/support/server_process'

/**
 * Blocking an address reaches every server process within a second, from
 * each one's copy of the list in memory. Three processes of their own
 * believe X-Forwarded-For from loopback, so each test calls from an
 * address of its own (the test server itself is 127.0.0.1 to everyone).
 */
test.group('Blocked addresses across three server processes', (group) => {
  let servers: ServerProcess[] = []
  let apiKey: string

  group.each.timeout(90_000)
  group.setup(async () => {
    apiKey = await newApiKey()
    servers = await Promise.all(
      [1, 2, 3].map(() => startServerProcess({ TRUST_PROXY: 'loopback' }))
    )
    return async () => {
      await Promise.all(servers.map((server) => server.stop()))
    }
  })

  const address = () => `203.0.113.${randomInt(1, 255)}`

  function call(server: ServerProcess, ip: string, path: string, body: Record<string, unknown>) {
    return fetch(`${server.url}/api/${path}`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json', 'x-forwarded-for': ip },
      body: JSON.stringify(body),
    })
  }

  /** Until `done` holds for a server's answer: how long it took (ms), at most `limitMs`. */
  async function timeUntil(
    server: ServerProcess,
    request: () => Promise<Response>,
    done: (response: Response) => boolean,
    startedAt: number,
    limitMs = 5000
  ) {
    while (Date.now() - startedAt < limitMs) {
      const response = await request()
      await response.arrayBuffer()
      if (done(response)) return Date.now() - startedAt
    }
    throw new Error(`${server.url} never changed its answer`)
  }

  /** The events the processes wrote so far (each flushes its buffer every 250 ms). */
  async function eventsFrom(ip: string, kind: string, atLeast: number) {
    const deadline = Date.now() + 5000
    while (Date.now() < deadline) {
      const [row] = await db
        .from('security_events')
        .where({ kind })
        .whereRaw('ip = ?::inet', [ip])
        .count('* as total')
      if (Number(row.total) >= atLeast) return Number(row.total)
    }
    throw new Error(`fewer than ${atLeast} ${kind} events from ${ip}`)
  }

  function useRule(name: keyof typeof securityConfig.rules, changes: Record<string, unknown>) {
    const key = `security.rules.${name}`
    const before = app.config.get<Record<string, unknown>>(key)
    app.config.set(key, { ...before, ...changes })
    return () => app.config.set(key, before)
  }

  test('key guessing blocks the address automatically: 403 IP_BLOCKED on every process within a second, and reversing lets it back', async ({
    assert,
    cleanup,
  }) => {
    cleanup(useRule('key_guessing', { actions: ['block_ip'] }))
    const guesser = address()
    const license = await createLicense({ type: 'perpetual', maxDevices: 3, maxSessions: 3 })
    const started = await call(servers[0], guesser, 'license/session/start', {
      license_key: license.key,
      hardware_fingerprint: fingerprint(),
    })
    assert.equal(started.status, 201)
    const { session_token: token } = (await started.json()) as { session_token: string }
    const heartbeat =
      (server: ServerProcess, ip = guesser) =>
      () =>
        call(server, ip, 'license/session/heartbeat', {
          session_token: token,
          license_key: license.key,
        })

    for (let guess = 0; guess < 20; guess++) {
      const response = await call(servers[guess % 3], guesser, 'license/verify', {
        license_key: generateLicenseKey(),
      })
      assert.equal(response.status, 404)
    }
    await eventsFrom(guesser, 'license_not_found', 20)
    const auditFrom = await lastAuditId()

    await runDetectors()
    const blockedAt = Date.now()
    const [alert] = await alertsAbout('key_guessing', `ip:${guesser}`)
    assert.equal(alert.ip, guesser)
    const waits = await Promise.all(
      servers.map((server) =>
        timeUntil(server, heartbeat(server), (response) => response.status === 403, blockedAt)
      )
    )
    for (const wait of waits) assert.isBelow(wait, 1000)
    const refused = await heartbeat(servers[1])()
    assert.deepInclude(await refused.json(), {
      error: { code: 'IP_BLOCKED', message: 'Requests from this address are blocked.' },
    })
    // Another address is served as before.
    assert.equal((await heartbeat(servers[2], address())()).status, 200)

    const [action] = await db.from('security_alert_actions').where('alert_id', alert.id)
    assert.include(action, { action: 'block_ip', automatic: true, created_by: 'security:detect' })
    const audit = await auditRowsAfter(auditFrom)
    assert.includeMembers(
      audit.map((row) => `${row.action} by ${row.actorType}`),
      ['blocked_ip.created by system', 'security_alert.action_taken by system']
    )

    const alerts = await app.container.make(SecurityAlerts)
    await alerts.reverse(action.id, cliActor('tests'))
    const unblockedAt = Date.now()
    const back = await Promise.all(
      servers.map((server) =>
        timeUntil(server, heartbeat(server), (response) => response.status === 200, unblockedAt)
      )
    )
    for (const wait of back) assert.isBelow(wait, 1000)
    assert.lengthOf(await db.from('blocked_ips').whereRaw('network >>= ?::inet', [guesser]), 0)
    const [reversed] = await db.from('security_alert_actions').where('id', action.id)
    assert.equal(reversed.reversed_by, 'tests')
  })

  test('a burst of bad API keys from one address opens an alert about it; fewer do not', async ({
    assert,
  }) => {
    const attacker = address()
    const clumsy = address()
    const badKey = (ip: string, index: number) =>
      fetch(`${servers[index % 3].url}/api/stats`, {
        headers: { 'x-api-key': 'kw_not_a_key', 'x-forwarded-for': ip },
      })
    for (let index = 0; index < 30; index++)
      assert.equal((await badKey(attacker, index)).status, 401)
    for (let index = 0; index < 3; index++) assert.equal((await badKey(clumsy, index)).status, 401)
    await eventsFrom(attacker, 'invalid_api_key', 30)
    await eventsFrom(clumsy, 'invalid_api_key', 3)
    await runDetectors()
    const [alert] = await alertsAbout('unauthorized_burst', `ip:${attacker}`)
    assert.include(alert, { status: 'open', evidence_count: 30, ip: attacker })
    assert.lengthOf(await alertsAbout('unauthorized_burst', `ip:${clumsy}`), 0)
    // Without an automatic action, nothing is blocked.
    assert.equal((await badKey(attacker, 0)).status, 401)
  })
})

test.group('Blocked addresses while Redis is away', () => {
  test('a process without Redis keeps its list and reloads it from the database', async ({
    assert,
    cleanup,
  }) => {
    const apiKey = await newApiKey()
    const cut = await startServerProcess({
      TRUST_PROXY: 'loopback',
      REDIS_URL: 'redis://127.0.0.1:1/0',
    })
    cleanup(() => cut.stop())
    const ip = `198.51.100.${randomInt(1, 255)}`
    const stats = () =>
      fetch(`${cut.url}/api/stats`, { headers: { 'x-api-key': apiKey, 'x-forwarded-for': ip } })
    assert.equal((await stats()).status, 200)

    const blockedIps = await app.container.make(BlockedIpService)
    const row = await blockedIps.block(
      { network: ip, reason: 'test', createdBy: 'tests' },
      null,
      cliActor('tests')
    )
    cleanup(() => blockedIps.unblock(row.id, cliActor('tests')))
    // No version to read: the list is read from the database every few seconds instead.
    const startedAt = Date.now()
    let status = 200
    while (status !== 403 && Date.now() - startedAt < 10_000) status = (await stats()).status
    assert.equal(status, 403)
  }).timeout(60_000)
})
