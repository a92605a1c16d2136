import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { SessionPolicyRegistry } from '#plugin_host/api'
import { fingerprint } from '#tests/support/fixtures'
import {
  SessionClient,
  bodyOf,
  expectStatus,
  restoreClock,
  sessionsOf,
  useFixedClock,
} from '#tests/support/sessions'
import ConcurrentSessionPolicy from '../../policy.js'

test.group('concurrent policy with on_limit replace_oldest', (group) => {
  group.each.setup(() => {
    const registry = new SessionPolicyRegistry('concurrent')
    registry.register(new ConcurrentSessionPolicy('replace_oldest'))
    app.container.swap(SessionPolicyRegistry, () => registry)
    return () => {
      app.container.restore(SessionPolicyRegistry)
      restoreClock()
    }
  })

  test('a start at the limit ends the oldest session as replaced', async ({ client, assert }) => {
    const clock = useFixedClock()
    const { api, license } = await SessionClient.forLicense(client, {
      sessionPolicy: 'concurrent',
      maxDevices: 3,
      maxSessions: 2,
    })
    const oldest = await bodyOf(api.start(fingerprint()))
    clock.advance({ seconds: 1 })
    const middle = await bodyOf(api.start(fingerprint()))
    clock.advance({ seconds: 1 })
    await expectStatus(api.start(fingerprint()), 201)

    const beat = await api.heartbeat(oldest.session_token)
    beat.assertStatus(410)
    assert.equal(beat.body().error.code, 'SESSION_ENDED')
    assert.equal(beat.body().error.end_reason, 'replaced')
    await expectStatus(api.heartbeat(middle.session_token), 200)

    const { live, ended } = await sessionsOf(license.id)
    assert.lengthOf(live, 2)
    assert.deepEqual(
      ended.map((session) => session.end_reason),
      ['replaced']
    )
  })
})
