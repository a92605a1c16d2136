import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import { createLicense, fingerprint } from '#tests/support/fixtures'
import {
  SessionClient,
  bodyOf,
  expectStatus,
  restoreClock,
  sessionsOf,
  useFixedClock,
} from '#tests/support/sessions'

/** Resolves to what `promise` gives, or to 'still waiting' after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  return Promise.race([
    promise,
    new Promise<'still waiting'>((resolve) => setTimeout(() => resolve('still waiting'), ms)),
  ])
}

test.group('Session start: a device resuming its own live session', (group) => {
  group.each.teardown(() => restoreClock())

  test('is answered while another start holds the license lock', async ({ client, assert }) => {
    const { api, license } = await SessionClient.forLicense(client, { sessionPolicy: 'resumable' })
    const device = fingerprint()
    const first = await bodyOf(api.start(device))
    const trx = await db.transaction()
    try {
      await trx.from('licenses').where('id', license.id).forUpdate().select('id')
      // The locked path would queue behind the lock until the transaction ends.
      const again = await within(api.start(device, { version: '1.2.3' }), 5000)
      assert.notEqual(again, 'still waiting')
      if (again === 'still waiting') return
      again.assertStatus(200)
      assert.isTrue(again.body().resumed)
      assert.equal(again.body().session_token, first.session_token)
    } finally {
      await trx.rollback()
    }
    const [row] = await db.from('license_sessions').where('license_id', license.id)
    assert.equal(row.client_version, '1.2.3')
  })

  test('counts as a heartbeat: the expiry moves, the token and the row stay', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock()
    const { api, license } = await SessionClient.forLicense(client, { sessionPolicy: 'resumable' })
    const device = fingerprint()
    const first = await bodyOf(api.start(device))
    clock.advance({ seconds: 40 })
    const again = (await expectStatus(api.start(device), 200)).body()
    assert.equal(again.session_token, first.session_token)
    assert.equal(
      again.expires_at,
      clock.now().plus({ seconds: first.session_timeout }).toJSDate().toISOString()
    )
    const { live, ended } = await sessionsOf(license.id)
    assert.lengthOf(live, 1)
    assert.lengthOf(ended, 0)
  })

  test('a license that expired meanwhile is refused, its session left as it was', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock()
    const { api, license } = await SessionClient.forLicense(client, {
      type: '1m',
      expiryBasis: 'creation',
      sessionPolicy: 'resumable',
      expiresAt: clock.now().plus({ seconds: 20 }),
    })
    const device = fingerprint()
    await bodyOf(api.start(device))
    const before = await db.from('license_sessions').where('license_id', license.id)
    // Past the expiry, while the session (60 s timeout) is still live.
    clock.advance({ seconds: 30 })
    const refused = await api.start(device)
    refused.assertStatus(403)
    assert.equal(refused.body().error.code, 'LICENSE_EXPIRED')
    assert.deepEqual(await db.from('license_sessions').where('license_id', license.id), before)
  })

  test('a session past its expiry is not picked up: the start makes a new one', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock()
    const { api, license } = await SessionClient.forLicense(client, { sessionPolicy: 'resumable' })
    const device = fingerprint()
    const first = await bodyOf(api.start(device))
    clock.advance({ seconds: first.session_timeout + 1 })
    const again = (await expectStatus(api.start(device), 201)).body()
    assert.isFalse(again.resumed)
    assert.notEqual(again.session_token, first.session_token)
    const { live, ended } = await sessionsOf(license.id)
    assert.lengthOf(live, 1)
    assert.deepEqual(
      ended.map((session: { end_reason: string }) => session.end_reason),
      ['timeout']
    )
  })

  test('under a policy that does not resume, the policy still decides', async ({
    client,
    assert,
  }) => {
    const { api } = await SessionClient.forLicense(client, { sessionPolicy: 'single' })
    const device = fingerprint()
    await bodyOf(api.start(device))
    const again = await api.start(device)
    again.assertStatus(409)
    assert.equal(again.body().error.code, 'SESSION_LIMIT_REACHED')
  })
})

test.group('Session start: the locked path', (group) => {
  group.each.teardown(() => restoreClock())

  test('ends expired sessions and reclaims silent ones of other devices in one go', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock(DateTime.utc() as DateTime<true>)
    const license = await createLicense({ type: 'perpetual', maxSessions: 2, maxDevices: 3 })
    await db.from('products').where('id', license.productId).update({ reclaim_grace_seconds: 30 })
    const api = await SessionClient.forLicense(client).then(
      ({ api: other }) => new SessionClient(client, other.apiKey, license.key)
    )
    const [expiring, silent, newcomer] = [fingerprint(), fingerprint(), fingerprint()]
    const startedAt = clock.now()
    await bodyOf(api.start(expiring))
    clock.advance({ seconds: 20 })
    const quiet = await bodyOf(api.start(silent))
    // The first is past its 60 s timeout; the second has been silent for 45 s (grace 30 s).
    clock.advance({ seconds: 45 })
    const started = (await expectStatus(api.start(newcomer), 201)).body()
    assert.notEqual(started.session_token, quiet.session_token)
    const { live, ended } = await sessionsOf(license.id)
    assert.deepEqual(
      live.map((session: { fingerprint: string }) => session.fingerprint),
      [newcomer]
    )
    // A timed-out session ends when it expired; a reclaimed one when it was reclaimed.
    const at = (seconds: number) => startedAt.plus({ seconds }).toJSDate().toISOString()
    assert.sameDeepMembers(
      ended.map((session: { fingerprint: string; end_reason: string; ended_at: Date }) => [
        session.fingerprint,
        session.end_reason,
        session.ended_at.toISOString(),
      ]),
      [
        [expiring, 'timeout', at(60)],
        [silent, 'timeout', at(65)],
      ]
    )
  })
})
