import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import Device from '#models/device'
import SessionService from '#services/session_service'
import LicenseStatus from '#commands/license_status'
import { SessionPolicyRegistry } from '#services/session_policies'
import { cliActor } from '#support/actor'
import { createLicense, fingerprint, newApiKey, rawRequest } from '#tests/support/fixtures'
import {
  SessionClient,
  bodyOf,
  expectStatus,
  restoreClock,
  sessionsOf,
  useFixedClock,
} from '#tests/support/sessions'

async function errorOf(response: { status(): number; body(): any }) {
  return { status: response.status(), ...response.body().error }
}

test.group('Session heartbeat', (group) => {
  group.each.teardown(() => restoreClock())

  test('keeps the session live and moves its expiry', async ({ client, assert }) => {
    const clock = useFixedClock()
    const { api, license } = await SessionClient.forLicense(client)
    const session = await bodyOf(api.start(fingerprint()))
    clock.advance({ seconds: 45 })
    const beat = await api.heartbeat(session.session_token)
    beat.assertStatus(200)
    assert.deepEqual(beat.body(), {
      ok: true,
      expires_at: clock.now().plus({ seconds: 60 }).toJSDate().toISOString(),
    })
    // 45 s after the start plus 59 s is past the first expiry, not the new one.
    clock.advance({ seconds: 59 })
    await expectStatus(api.heartbeat(session.session_token), 200)
    const [row] = await db.from('license_sessions').where('license_id', license.id)
    assert.equal(row.heartbeat_count, 2)
    const logged = await db.from('session_heartbeats').where('license_id', license.id)
    assert.lengthOf(logged, 2)
  })

  test('a missing heartbeat partition costs the log entry, not the session', async ({
    client,
    assert,
  }) => {
    // No partition exists this far ahead.
    useFixedClock(DateTime.fromISO('2035-06-01T12:00:00Z') as DateTime<true>)
    const { api, license } = await SessionClient.forLicense(client)
    const session = await bodyOf(api.start(fingerprint()))
    const beat = await api.heartbeat(session.session_token)
    beat.assertStatus(200)
    const [row] = await db.from('license_sessions').where('license_id', license.id)
    assert.equal(row.heartbeat_count, 1)
    assert.lengthOf(await db.from('session_heartbeats').where('license_id', license.id), 0)
  })

  test('after the timeout: 410 timeout, and the session is history', async ({ client, assert }) => {
    const clock = useFixedClock()
    const { api, license } = await SessionClient.forLicense(client)
    const session = await bodyOf(api.start(fingerprint()))
    clock.advance({ seconds: 60 })
    const late = await api.heartbeat(session.session_token)
    assert.deepInclude(await errorOf(late), {
      status: 410,
      code: 'SESSION_ENDED',
      end_reason: 'timeout',
    })
    const { live, ended } = await sessionsOf(license.id)
    assert.lengthOf(live, 0)
    assert.equal(ended[0].ended_at.toISOString(), session.expires_at)
    // Asked again, the answer stays the same.
    const again = await bodyOf(api.heartbeat(session.session_token))
    assert.equal(again.error.end_reason, 'timeout')
  })

  test('after an admin ends it: 410 forced, audited', async ({ client, assert }) => {
    useFixedClock()
    const { api, license } = await SessionClient.forLicense(client)
    const session = await bodyOf(api.start(fingerprint()))
    const [{ id }] = await db.from('license_sessions').where('license_id', license.id)

    const sessions = await app.container.make(SessionService)
    assert.isTrue(await sessions.forceEnd(id, cliActor('tests')))
    assert.isFalse(await sessions.forceEnd(id, cliActor('tests')))

    const beat = await api.heartbeat(session.session_token)
    assert.deepInclude(await errorOf(beat), { status: 410, end_reason: 'forced' })
    const audit = await db
      .from('audit_logs')
      .where({ action: 'session.forced_end', subject_id: license.id })
    assert.lengthOf(audit, 1)
    const { ended } = await sessionsOf(license.id)
    assert.equal(ended[0].end_reason, 'forced')
  })

  test('after its device is deactivated: 410 deactivated, slot free', async ({
    client,
    assert,
  }) => {
    useFixedClock()
    const { api, license } = await SessionClient.forLicense(client)
    const device = fingerprint()
    const session = await bodyOf(api.start(device))
    await expectStatus(api.deactivate(device), 200)

    const beat = await api.heartbeat(session.session_token)
    assert.deepInclude(await errorOf(beat), { status: 410, end_reason: 'deactivated' })
    assert.lengthOf(await Device.query().where({ licenseId: license.id, active: true }), 0)
    // The freed slot takes another device at once.
    await expectStatus(api.start(fingerprint()), 201)
  })

  test('after the license is suspended: 410 license', async ({ client, assert }) => {
    useFixedClock()
    const { api, license } = await SessionClient.forLicense(client)
    const session = await bodyOf(api.start(fingerprint()))
    const ace = await app.container.make('ace')
    const command = await ace.create(LicenseStatus, [license.key, 'suspended'])
    command.ui.switchMode('raw')
    await command.exec()
    assert.equal(command.exitCode, 0)

    const beat = await api.heartbeat(session.session_token)
    assert.deepInclude(await errorOf(beat), { status: 410, end_reason: 'license' })
    const start = await api.start(fingerprint())
    assert.deepInclude(await errorOf(start), { status: 403, code: 'LICENSE_SUSPENDED' })
  })

  test('a license changed behind the service (revoked, expired) still ends with license', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock()
    const revoked = await SessionClient.forLicense(client)
    const first = await bodyOf(revoked.api.start(fingerprint()))
    await db.from('licenses').where('id', revoked.license.id).update({ status: 'revoked' })
    const beat = await revoked.api.heartbeat(first.session_token)
    assert.deepInclude(await errorOf(beat), { status: 410, end_reason: 'license' })

    const expiring = await SessionClient.forLicense(client, {
      type: '1d',
      expiryBasis: 'creation',
      expiresAt: clock.now().plus({ seconds: 20 }),
    })
    const second = await bodyOf(expiring.api.start(fingerprint()))
    clock.advance({ seconds: 20 })
    const late = await expiring.api.heartbeat(second.session_token)
    assert.deepInclude(await errorOf(late), { status: 410, end_reason: 'license' })
  })

  test('unknown tokens and tokens of another license are 404', async ({ client, assert }) => {
    useFixedClock()
    const { api } = await SessionClient.forLicense(client)
    const other = await SessionClient.forLicense(client)
    const session = await bodyOf(api.start(fingerprint()))

    const unknown = await api.heartbeat('x'.repeat(43))
    assert.deepInclude(await errorOf(unknown), { status: 404, code: 'SESSION_NOT_FOUND' })
    const foreign = await other.api.heartbeat(session.session_token)
    assert.deepInclude(await errorOf(foreign), { status: 404, code: 'SESSION_NOT_FOUND' })
    // The probe did not disturb the real session.
    await expectStatus(api.heartbeat(session.session_token), 200)
  })
})

test.group('Session start', (group) => {
  group.each.teardown(() => restoreClock())

  test('activates a new device and starts the clock of the license', async ({ client, assert }) => {
    const clock = useFixedClock()
    const { api, license } = await SessionClient.forLicense(client, {
      type: '1m',
      expiryBasis: 'first_activation',
    })
    const device = fingerprint()
    await expectStatus(api.start(device), 201)
    await license.refresh()
    assert.equal(license.activatedAt?.toMillis(), clock.now().toMillis())
    assert.equal(license.expiresAt?.toMillis(), clock.now().plus({ months: 1 }).toMillis())
    const devices = await Device.query().where({ licenseId: license.id, active: true })
    assert.deepEqual(
      devices.map((d) => d.fingerprint),
      [device]
    )
  })

  test('refuses a device past the device limit with 409 DEVICE_LIMIT_REACHED', async ({
    client,
    assert,
  }) => {
    useFixedClock()
    const { api, license } = await SessionClient.forLicense(client, { maxDevices: 1 })
    const first = await bodyOf(api.start(fingerprint()))
    await expectStatus(api.end(first.session_token), 200)

    const refused = await api.start(fingerprint())
    assert.deepInclude(await errorOf(refused), { status: 409, code: 'DEVICE_LIMIT_REACHED' })
    assert.lengthOf(await Device.query().where({ licenseId: license.id }), 1)
  })

  test('unknown, revoked and expired licenses are refused', async ({ client, assert }) => {
    useFixedClock()
    const key = await newApiKey()
    const start = (licenseKey: string) =>
      client
        .post('/api/license/session/start')
        .header('X-API-Key', key)
        .json({ license_key: licenseKey, hardware_fingerprint: fingerprint() })

    assert.deepInclude(await errorOf(await start('NOPE-NOPE-NOPE-NOPE')), {
      status: 404,
      code: 'LICENSE_NOT_FOUND',
    })
    const revoked = await createLicense({ type: 'perpetual', status: 'revoked' })
    assert.deepInclude(await errorOf(await start(revoked.key)), {
      status: 403,
      code: 'LICENSE_REVOKED',
    })
  })

  test('a license whose policy is not available runs under the default', async ({
    client,
    assert,
  }) => {
    useFixedClock()
    const { api, license } = await SessionClient.forLicense(client, {
      sessionPolicy: 'no-such-policy',
      maxDevices: 2,
    })
    const machine = fingerprint()
    const first = await bodyOf(api.start(machine))
    // The default is resumable: the same machine shares the session.
    const second = await api.start(machine)
    second.assertStatus(200)
    assert.equal(second.body().session_token, first.session_token)

    const info = await client
      .get(`/api/license/info/${license.key}`)
      .header('X-API-Key', api.apiKey)
    assert.equal(info.body().session_policy, 'resumable')
  })

  test('disabling a policy plugin makes its licenses fall back to the default', async ({
    client,
    assert,
  }) => {
    useFixedClock()
    // The registry as it is when session-resumable is disabled and the
    // default is single.
    const live = await app.container.make(SessionPolicyRegistry)
    const withoutResumable = new SessionPolicyRegistry('single')
    for (const name of live.names().filter((n) => n !== 'resumable')) {
      withoutResumable.register(live.resolve(name).policy)
    }
    app.container.swap(SessionPolicyRegistry, () => withoutResumable)
    try {
      const { api, license } = await SessionClient.forLicense(client, {
        sessionPolicy: 'resumable',
        maxDevices: 2,
      })
      const machine = fingerprint()
      await expectStatus(api.start(machine), 201)
      const second = await api.start(machine)
      assert.deepInclude(await errorOf(second), { status: 409, code: 'SESSION_LIMIT_REACHED' })
      const info = await client
        .get(`/api/license/info/${license.key}`)
        .header('X-API-Key', api.apiKey)
      assert.equal(info.body().session_policy, 'single')
      const [row] = await db.from('license_sessions').where('license_id', license.id)
      assert.equal(row.policy, 'single')
    } finally {
      app.container.restore(SessionPolicyRegistry)
    }
  })

  test('malformed requests are 422 and write nothing', async ({ client, assert }) => {
    const { api, license } = await SessionClient.forLicense(client)
    const before = await db.from('license_sessions').count('* as n').first()
    const cases: Array<[string, Record<string, unknown>]> = [
      ['session/start', { license_key: license.key }],
      ['session/start', { license_key: license.key, hardware_fingerprint: 'short' }],
      [
        'session/start',
        { license_key: license.key, hardware_fingerprint: fingerprint(), version: 7 },
      ],
      ['session/heartbeat', { session_token: 'x'.repeat(43) }],
      ['session/heartbeat', { session_token: 'not a token!', license_key: license.key }],
      ['session/end', {}],
      ['session/end', { session_token: ['x'.repeat(43)] }],
    ]
    for (const [path, body] of cases) {
      const response = await rawRequest(`/api/license/${path}`, {
        body: JSON.stringify(body),
        headers: { 'X-API-Key': api.apiKey },
      })
      assert.equal(response.status, 422, `${path} ${JSON.stringify(body)}`)
      assert.equal(response.body.error.code, 'VALIDATION_ERROR')
      assert.isArray(response.body.error.fields)
    }
    const after = await db.from('license_sessions').count('* as n').first()
    assert.equal(after.n, before.n)
  })

  test('end: unknown tokens are 404; a session that had expired is recorded as timeout', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock()
    const { api, license } = await SessionClient.forLicense(client)
    assert.deepInclude(await errorOf(await api.end('y'.repeat(43))), {
      status: 404,
      code: 'SESSION_NOT_FOUND',
    })
    const session = await bodyOf(api.start(fingerprint()))
    clock.advance({ minutes: 5 })
    await expectStatus(api.end(session.session_token), 200)
    const { ended } = await sessionsOf(license.id)
    assert.equal(ended[0].end_reason, 'timeout')
  })
})

test.group('Session limit in the database', () => {
  test('the trigger refuses a session past max_sessions, whatever the code does', async ({
    assert,
  }) => {
    const license = await createLicense({ type: 'perpetual', maxDevices: 2, maxSessions: 1 })
    const devices = await Promise.all(
      [fingerprint(), fingerprint()].map((fp) =>
        Device.create({ licenseId: license.id, fingerprint: fp })
      )
    )
    const now = new Date()
    const row = (device: Device, token: string) => ({
      license_id: license.id,
      device_id: device.id,
      fingerprint: device.fingerprint,
      token_hash: token.repeat(64),
      token_sealed: 'sealed',
      policy: 'test',
      heartbeat_interval: 30,
      session_timeout: 60,
      started_at: now,
      last_heartbeat_at: now,
      expires_at: new Date(now.getTime() + 60_000),
    })
    await db.table('license_sessions').insert(row(devices[0], 'a'))
    await assert.rejects(
      () => db.table('license_sessions').insert(row(devices[1], 'b')),
      /session limit reached/
    )
    await db.from('licenses').where('id', license.id).update({ max_sessions: 2 })
    await db.table('license_sessions').insert(row(devices[1], 'c'))
  })
})
