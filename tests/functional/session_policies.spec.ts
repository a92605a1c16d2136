import { test } from '@japa/runner'
import { fingerprint } from '#tests/support/fixtures'
import {
  SessionClient,
  bodyOf,
  expectStatus,
  restoreClock,
  sessionsOf,
  useFixedClock,
} from '#tests/support/sessions'

/**
 * The seven situations of a paying customer, for each session policy.
 * Licenses allow two devices so that "another device" meets the session
 * limit, not the device limit. Heartbeat 30 s, timeout 60 s (the defaults).
 */
const POLICIES = ['single', 'concurrent', 'resumable'] as const
type Policy = (typeof POLICIES)[number]

const SESSION_LIMIT_DE =
  'Es ist nur eine Sitzung erlaubt, stelle sicher, dass nirgendwo sonst das Programm läuft'

for (const policy of POLICIES) {
  test.group(`Session policy "${policy}"`, (group) => {
    group.each.teardown(() => restoreClock())

    const license = (client: Parameters<typeof SessionClient.forLicense>[0], maxSessions = 1) =>
      SessionClient.forLicense(client, {
        sessionPolicy: policy,
        maxDevices: 2,
        maxSessions,
      })

    test('1. a fresh login gets a session', async ({ client, assert }) => {
      const clock = useFixedClock()
      const { api } = await license(client)
      const response = await api.start(fingerprint(), { version: '1.2.3' })
      response.assertStatus(201)
      const body = response.body()
      assert.equal(body.resumed, false)
      assert.isAtLeast(body.session_token.length, 36)
      assert.equal(body.heartbeat_interval, 30)
      assert.equal(body.session_timeout, 60)
      assert.equal(body.expires_at, clock.now().plus({ seconds: 60 }).toJSDate().toISOString())
      await expectStatus(api.heartbeat(body.session_token), 200)
    })

    test('2. a client that crashed minutes ago logs straight back in', async ({
      client,
      assert,
    }) => {
      const clock = useFixedClock()
      const { api, license: row } = await license(client)
      const device = fingerprint()
      const crashed = await bodyOf(api.start(device))
      clock.advance({ minutes: 3 })

      const again = await api.start(device)
      again.assertStatus(201)
      assert.notEqual(again.body().session_token, crashed.session_token)
      const { ended } = await sessionsOf(row.id)
      assert.lengthOf(ended, 1)
      assert.equal(ended[0].end_reason, 'timeout')
      // It ended when it expired, not when someone noticed.
      assert.equal(ended[0].ended_at.toISOString(), crashed.expires_at)
    })

    test('3. another device while a session is live is refused, generically', async ({
      client,
      assert,
    }) => {
      useFixedClock()
      const { api } = await license(client)
      const holder = fingerprint()
      await expectStatus(api.start(holder), 201)

      const refused = await api.start(fingerprint())
      refused.assertStatus(409)
      assert.equal(refused.body().error.code, 'SESSION_LIMIT_REACHED')
      assert.notInclude(JSON.stringify(refused.body()), holder)
      assert.deepEqual(Object.keys(refused.body().error).sort(), ['code', 'message'])

      const german = await api.inLocale('de').start(fingerprint())
      assert.equal(german.body().error.message, SESSION_LIMIT_DE)
    })

    test('4. a second launcher on the same machine', async ({ client, assert }) => {
      useFixedClock()
      const { api } = await license(client, 2)
      const machine = fingerprint()
      const first = await bodyOf(api.start(machine))
      const second = await api.start(machine)

      const expectations: Record<Policy, () => void> = {
        single: () => {
          second.assertStatus(409)
          assert.equal(second.body().error.code, 'SESSION_LIMIT_REACHED')
        },
        concurrent: () => {
          second.assertStatus(201)
          assert.notEqual(second.body().session_token, first.session_token)
        },
        resumable: () => {
          second.assertStatus(200)
          assert.isTrue(second.body().resumed)
          assert.equal(second.body().session_token, first.session_token)
        },
      }
      expectations[policy]()
    })

    test('5. a clean end, then an immediate login from another device', async ({
      client,
      assert,
    }) => {
      useFixedClock()
      const { api, license: row } = await license(client)
      const session = await bodyOf(api.start(fingerprint()))
      const ended = await api.end(session.session_token)
      ended.assertStatus(200)
      assert.deepEqual(ended.body(), { ended: true })
      await expectStatus(api.start(fingerprint()), 201)
      // Ending again is fine.
      await expectStatus(api.end(session.session_token), 200)
      const { ended: history } = await sessionsOf(row.id)
      assert.deepEqual(
        history.map((s) => s.end_reason),
        ['normal']
      )
    })

    test('6. a killed client relaunched at once on the same device', async ({ client, assert }) => {
      useFixedClock()
      const { api } = await license(client)
      const device = fingerprint()
      const killed = await bodyOf(api.start(device))
      const relaunch = await api.start(device)

      if (policy === 'resumable') {
        relaunch.assertStatus(200)
        assert.isTrue(relaunch.body().resumed)
        assert.equal(relaunch.body().session_token, killed.session_token)
      } else {
        // single and concurrent (max_sessions 1) have no reclaim grace: the
        // killed session holds the license until its timeout.
        relaunch.assertStatus(409)
        assert.equal(relaunch.body().error.code, 'SESSION_LIMIT_REACHED')
      }
    })

    test('7. device A crashed: device B waits for the timeout, then gets in', async ({
      client,
    }) => {
      const clock = useFixedClock()
      const { api } = await license(client)
      await expectStatus(api.start(fingerprint()), 201)
      clock.advance({ seconds: 59 })
      await expectStatus(api.start(fingerprint()), 409)
      clock.advance({ seconds: 1 })
      await expectStatus(api.start(fingerprint()), 201)
    })
  })
}
