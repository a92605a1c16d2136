import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import emitter from '@adonisjs/core/services/emitter'
import type { EventsList } from '@adonisjs/core/types'
import limiter from '@adonisjs/limiter/services/main'
import ApiKeyService from '#services/api_key_service'
import { fingerprintDigest } from '#services/security/security_events'
import { SecurityEventRecorder } from '#services/security/security_event_recorder'
import { cliActor } from '#support/actor'
import { Clock, FixedClock } from '#support/clock'
import { coreJobs } from '#start/jobs'
import { generateLicenseKey } from '#support/license_keys'
import { createApiKey, createLicense, fingerprint } from '#tests/support/fixtures'
import { PanelClient, createAdmin } from '#tests/support/panel'
import { securityEventsOf, testAgent } from '#tests/support/security'

/**
 * Each refused client request that matters leaves a security event with
 * its facts; refusals that do not matter (a validation error) leave none.
 */
test.group('Security events of refused requests', () => {
  async function caller() {
    const { key, apiKey } = await createApiKey()
    const agent = testAgent()
    const post = (client: any, path: string, body: Record<string, unknown>) =>
      client.post(path).header('X-API-Key', key).header('User-Agent', agent).json(body)
    return { key, apiKey, agent, post }
  }

  test('an unknown license key on any endpoint: license_not_found, with key and address', async ({
    client,
    assert,
  }) => {
    const { apiKey, agent, post, key } = await caller()
    const device = fingerprint()
    const unknown = generateLicenseKey()
    ;(
      await post(client, '/api/license/activate', {
        license_key: unknown,
        hardware_fingerprint: device,
      })
    ).assertStatus(404)
    ;(await post(client, '/api/license/verify', { license_key: unknown })).assertStatus(404)
    ;(
      await post(client, '/api/license/session/start', {
        license_key: unknown,
        hardware_fingerprint: device,
      })
    ).assertStatus(404)
    ;(
      await client
        .get(`/api/license/info/${unknown}`)
        .header('X-API-Key', key)
        .header('User-Agent', agent)
    ).assertStatus(404)

    const events = await securityEventsOf(agent)
    assert.deepEqual(
      events.map((event) => event.kind),
      ['license_not_found', 'license_not_found', 'license_not_found', 'license_not_found']
    )
    const [activation, , , info] = events
    assert.equal(activation.api_key_id, apiKey.id)
    assert.equal(activation.ip, '127.0.0.1')
    assert.isNull(activation.license_id)
    // The fingerprint only as its SHA-256 digest.
    assert.equal(activation.fingerprint_digest, fingerprintDigest(device))
    const raw = await db.from('security_events').whereRaw('details::text LIKE ?', [`%${device}%`])
    assert.lengthOf(raw, 0)
    // The route by its pattern: the key in the path is not stored.
    assert.equal(info.details.route, '/api/license/info/:license_key')
    assert.notInclude(JSON.stringify(events), unknown)
  })

  test('device and session limits, single-use keys already used: with the license', async ({
    client,
    assert,
  }) => {
    const { agent, post } = await caller()
    const license = await createLicense({
      type: 'perpetual',
      maxDevices: 1,
      maxSessions: 1,
      sessionPolicy: 'single',
    })
    const [first, second] = [fingerprint(), fingerprint()]
    ;(
      await post(client, '/api/license/activate', {
        license_key: license.key,
        hardware_fingerprint: first,
      })
    ).assertStatus(201)
    ;(
      await post(client, '/api/license/activate', {
        license_key: license.key,
        hardware_fingerprint: second,
      })
    ).assertStatus(409)

    const sessions = await createLicense({
      type: 'perpetual',
      maxDevices: 3,
      maxSessions: 1,
      sessionPolicy: 'single',
    })
    ;(
      await post(client, '/api/license/session/start', {
        license_key: sessions.key,
        hardware_fingerprint: first,
      })
    ).assertStatus(201)
    ;(
      await post(client, '/api/license/session/start', {
        license_key: sessions.key,
        hardware_fingerprint: second,
      })
    ).assertStatus(409)

    const single = await createLicense({ type: 'perpetual' })
    ;(
      await post(client, '/api/activate', {
        license_key: single.key,
        domain_fingerprint: 'shop.example.com',
      })
    ).assertStatus(200)
    ;(
      await post(client, '/api/activate', {
        license_key: single.key,
        domain_fingerprint: 'other.example.com',
      })
    ).assertStatus(409)

    const events = await securityEventsOf(agent)
    assert.deepEqual(
      events.map((event) => [event.kind, event.license_id, event.product_id]),
      [
        ['device_limit_reached', license.id, license.productId],
        ['session_limit_reached', sessions.id, sessions.productId],
        ['single_use_already_used', single.id, single.productId],
      ]
    )
    assert.equal(events[0].fingerprint_digest, fingerprintDigest(second))
    assert.equal(events[0].details.max, 1)
    assert.equal(events[2].fingerprint_digest, fingerprintDigest('other.example.com'))
  })

  test('a device or session limit announces license:limit_reached with the license and the limit', async ({
    client,
    assert,
    cleanup,
  }) => {
    const { post } = await caller()
    const seen: EventsList['license:limit_reached'][] = []
    const stop = emitter.on('license:limit_reached', (payload) => void seen.push(payload))
    cleanup(() => stop())
    const license = await createLicense({
      type: 'perpetual',
      maxDevices: 1,
      maxSessions: 1,
      sessionPolicy: 'single',
    })
    const [first, second] = [fingerprint(), fingerprint()]
    ;(
      await post(client, '/api/license/session/start', {
        license_key: license.key,
        hardware_fingerprint: first,
      })
    ).assertStatus(201)
    ;(
      await post(client, '/api/license/session/start', {
        license_key: license.key,
        hardware_fingerprint: second,
      })
    ).assertStatus(409)
    ;(
      await post(client, '/api/license/activate', {
        license_key: license.key,
        hardware_fingerprint: second,
      })
    ).assertStatus(409)
    const mine = seen.filter((event) => event.license.id === license.id)
    const named = {
      id: license.id,
      key: license.key,
      productId: license.productId,
      customerId: null,
    }
    assert.deepEqual(mine, [
      {
        license: named,
        limit: 'sessions',
        max: 1,
        fingerprintDigest: fingerprintDigest(second),
        ip: '127.0.0.1',
      },
      {
        license: named,
        limit: 'devices',
        max: 1,
        fingerprintDigest: fingerprintDigest(second),
        ip: '127.0.0.1',
      },
    ])
  })

  test('invalid and revoked API keys: invalid_api_key, the revoked key named', async ({
    client,
    assert,
  }) => {
    const agent = testAgent()
    const { key, apiKey } = await createApiKey()
    const apiKeys = await app.container.make(ApiKeyService)
    await apiKeys.revoke(apiKey.id, cliActor('tests'))
    const stats = (header?: string) => {
      const request = client.get('/api/stats').header('User-Agent', agent)
      return header === undefined ? request : request.header('X-API-Key', header)
    }
    ;(await stats()).assertStatus(401)
    ;(await stats('not-a-key')).assertStatus(401)
    ;(await stats(`${key.slice(0, -4)}AAAA`)).assertStatus(401)
    ;(await stats(key)).assertStatus(401)

    const events = await securityEventsOf(agent)
    assert.deepEqual(
      events.map((event) => [event.kind, event.details.reason, event.api_key_id]),
      [
        ['invalid_api_key', 'missing', null],
        ['invalid_api_key', 'malformed', null],
        ['invalid_api_key', 'unknown', null],
        ['invalid_api_key', 'revoked', apiKey.id],
      ]
    )
  })

  test('a rate-limited caller: rate_limited', async ({ client, assert, cleanup }) => {
    const { agent, key } = await caller()
    app.config.set('api.rateLimit', { requests: 2, durationSeconds: 60 })
    const counter = () => limiter.use({ requests: 2, duration: 60 })
    await counter().delete('api_ip_127.0.0.1')
    cleanup(async () => {
      app.config.set('api.rateLimit', null)
      await counter().delete('api_ip_127.0.0.1')
    })
    const statuses: number[] = []
    for (let index = 0; index < 3; index++) {
      const response = await client
        .get('/api/stats')
        .header('X-API-Key', key)
        .header('User-Agent', agent)
      statuses.push(response.status())
    }
    assert.deepEqual(statuses, [200, 200, 429])
    const events = await securityEventsOf(agent)
    assert.deepEqual(
      events.map((event) => event.kind),
      ['rate_limited']
    )
  })

  test('refusals that are not security matters leave no event', async ({ client, assert }) => {
    const { agent, post } = await caller()
    const license = await createLicense({ type: 'perpetual' })
    ;(await post(client, '/api/license/verify', { license_key: 'x' })).assertStatus(422)
    ;(
      await post(client, '/api/license/deactivate', {
        license_key: license.key,
        hardware_fingerprint: fingerprint(),
      })
    ).assertStatus(404)
    ;(await post(client, '/api/license/verify', { license_key: license.key })).assertStatus(200)
    assert.lengthOf(await securityEventsOf(agent), 0)
  })

  test('panel login failures and the lockout', async ({ assert }) => {
    const admin = await createAdmin()
    const panel = new PanelClient()
    const before = await db.from('security_events').max('id as id').first()
    for (let attempt = 0; attempt < 6; attempt++) {
      await panel.get('/admin/login')
      await panel.post('/admin/login', { email: admin.email, password: 'wrong password' })
    }
    await flushAll()
    const events = await db
      .from('security_events')
      .where('id', '>', before?.id ?? 0)
      .whereRaw(`details->>'email' = ?`, [admin.email])
      .orderBy('id')
      .select('kind', db.raw(`details->>'reason' AS reason`), db.raw('host(ip) AS ip'))
    assert.deepEqual(
      events.map((event) => [event.kind, event.reason]),
      [
        ['panel_login_failed', 'password'],
        ['panel_login_failed', 'password'],
        ['panel_login_failed', 'password'],
        ['panel_login_failed', 'password'],
        ['panel_login_locked', 'password'],
        ['panel_login_failed', 'locked'],
      ]
    )
    assert.equal(events[0].ip, '127.0.0.1')
  })
})

async function flushAll() {
  const { flushSecurityEvents } = await import('#tests/support/security')
  await flushSecurityEvents()
}

test.group('POST /api/license/report', () => {
  test('lease tampering and clock rollback reports are recorded with the license', async ({
    client,
    assert,
  }) => {
    const { key } = await createApiKey()
    const agent = testAgent()
    const license = await createLicense({ type: 'perpetual' })
    const device = fingerprint()
    const report = (body: Record<string, unknown>) =>
      client
        .post('/api/license/report')
        .header('X-API-Key', key)
        .header('User-Agent', agent)
        .json(body)

    const rollback = await report({
      license_key: license.key,
      hardware_fingerprint: device,
      kind: 'clock_rollback',
      observed_at: '2026-01-01T10:00:00Z',
      last_seen_at: '2026-03-01T10:00:00Z',
    })
    rollback.assertStatus(202)
    assert.deepEqual(rollback.body(), { recorded: true })
    ;(
      await report({
        license_key: license.key,
        kind: 'lease_tampering',
        lease_id: 'lease-1',
        message: 'signature mismatch',
      })
    ).assertStatus(202)

    const events = await securityEventsOf(agent)
    assert.deepEqual(
      events.map((event) => [event.kind, event.license_id]),
      [
        ['clock_rollback', license.id],
        ['lease_tampering', license.id],
      ]
    )
    assert.equal(events[0].fingerprint_digest, fingerprintDigest(device))
    assert.deepEqual(events[0].details, {
      observed_at: '2026-01-01T10:00:00Z',
      last_seen_at: '2026-03-01T10:00:00Z',
    })
    assert.deepEqual(events[1].details, { lease_id: 'lease-1', message: 'signature mismatch' })
  })

  test('bad input is 422, an unknown key 404 (itself an event), nothing else written', async ({
    client,
    assert,
  }) => {
    const { key } = await createApiKey()
    const agent = testAgent()
    const license = await createLicense({ type: 'perpetual' })
    const report = (body: Record<string, unknown>) =>
      client
        .post('/api/license/report')
        .header('X-API-Key', key)
        .header('User-Agent', agent)
        .json(body)
    const invalid = await report({ license_key: license.key, kind: 'cheating' })
    invalid.assertStatus(422)
    assert.equal(invalid.body().error.code, 'VALIDATION_ERROR')
    ;(
      await report({ license_key: license.key, kind: 'clock_rollback', observed_at: 'yesterday' })
    ).assertStatus(422)
    ;(
      await report({ license_key: license.key, kind: 'clock_rollback', message: 'x'.repeat(501) })
    ).assertStatus(422)
    const unknown = await report({ license_key: generateLicenseKey(), kind: 'clock_rollback' })
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'LICENSE_NOT_FOUND')
    const events = await securityEventsOf(agent)
    assert.deepEqual(
      events.map((event) => event.kind),
      ['license_not_found']
    )
  })
})

test.group('Security event upkeep (security:partitions)', (group) => {
  async function partitionsLike(pattern: string): Promise<string[]> {
    const { rows } = await db.rawQuery(
      `SELECT tablename AS name FROM pg_tables WHERE schemaname = 'security_partitions'
         AND tablename LIKE ? ORDER BY tablename`,
      [pattern]
    )
    return rows.map((row: { name: string }) => row.name)
  }
  group.each.teardown(async () => {
    app.container.restore(Clock)
    for (const name of await partitionsLike('security_events_y2001m%')) {
      await db.rawQuery(`DROP TABLE security_partitions.${name}`)
    }
  })

  test('creates the months ahead and drops those past the retention (90 days)', async ({
    assert,
  }) => {
    await db.rawQuery(`SELECT ensure_security_event_partitions('2001-01-01T00:00:00Z', 2)`)
    app.container.swap(Clock, () => new FixedClock(DateTime.fromISO('2001-06-15T12:00:00Z')))
    const job = coreJobs.find((candidate) => candidate.name === 'security:partitions')!
    const { default: handler } = await job.handler()
    const result = await handler({ app, scheduledAt: new Date() })
    assert.deepEqual(result, {
      created: ['security_events_y2001m06', 'security_events_y2001m07', 'security_events_y2001m08'],
      dropped: ['security_events_y2001m01', 'security_events_y2001m02'],
    })
    assert.deepEqual(await partitionsLike('security_events_y2001m%'), [
      'security_events_y2001m03',
      'security_events_y2001m06',
      'security_events_y2001m07',
      'security_events_y2001m08',
    ])
  })
})

test.group('The security event recorder', () => {
  const countOf = async (agent: string) => {
    const [row] = await db.from('security_events').where('user_agent', agent).count('* as total')
    return Number(row.total)
  }

  test('events wait in the buffer and are written in one batch when it is full, or on flush', async ({
    assert,
  }) => {
    const recorder = new SecurityEventRecorder({
      recording: true,
      flushIntervalMs: 60_000,
      flushBatch: 3,
      maxBuffered: 5,
    })
    const agent = testAgent()
    const record = () =>
      recorder.record({ kind: 'rate_limited', ip: '192.0.2.1', userAgent: agent })
    record()
    record()
    assert.equal(recorder.pending, 2)
    assert.equal(await countOf(agent), 0)
    record()
    // A full batch is written at once, long before the (minute-long) interval.
    const startedAt = Date.now()
    while ((await countOf(agent)) < 3 && Date.now() - startedAt < 5000) {}
    assert.equal(await countOf(agent), 3)
    assert.equal(recorder.pending, 0)

    // Past maxBuffered the oldest are dropped, never the caller.
    const burst = new SecurityEventRecorder({
      recording: true,
      flushIntervalMs: 60_000,
      flushBatch: 100,
      maxBuffered: 5,
    })
    const other = testAgent()
    for (let index = 0; index < 7; index++) {
      burst.record({ kind: 'rate_limited', userAgent: other, details: { index } })
    }
    assert.equal(burst.dropped, 2)
    await burst.close()
    const kept = await db.from('security_events').where('user_agent', other).orderBy('id')
    assert.deepEqual(
      kept.map((row) => row.details.index),
      [2, 3, 4, 5, 6]
    )
  })

  test('with recording off nothing is kept', async ({ assert }) => {
    const off = new SecurityEventRecorder({
      recording: false,
      flushIntervalMs: 10,
      flushBatch: 1,
      maxBuffered: 5,
    })
    const agent = testAgent()
    off.record({ kind: 'rate_limited', userAgent: agent })
    assert.equal(off.pending, 0)
    await off.close()
    assert.equal(await countOf(agent), 0)
  })
})
