import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import {
  SessionPolicyRegistry,
  type SessionDecision,
  type SessionDecisionContext,
  type SessionPolicy,
} from '#services/session_policies'
import { fingerprint } from '#tests/support/fixtures'
import {
  SessionClient,
  bodyOf,
  expectStatus,
  restoreClock,
  useFixedClock,
} from '#tests/support/sessions'

/** A policy that shows what the engine hands it, and decides what the test says. */
class ProbePolicy implements SessionPolicy {
  readonly name = 'probe'
  readonly seen: SessionDecisionContext[] = []
  decision: SessionDecision = { action: 'create' }

  decide(context: SessionDecisionContext) {
    this.seen.push(context)
    return this.decision
  }
}

test.group('What a session policy is told, and a refusal with a reason', (group) => {
  let probe: ProbePolicy
  group.each.setup(() => {
    probe = new ProbePolicy()
    const registry = new SessionPolicyRegistry('probe')
    registry.register(probe)
    app.container.swap(SessionPolicyRegistry, () => registry)
    return () => {
      app.container.restore(SessionPolicyRegistry)
      restoreClock()
    }
  })

  test('the context holds the live sessions with their last heartbeat, the license and the product', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock()
    const { api, license } = await SessionClient.forLicense(client, {
      sessionPolicy: 'probe',
      maxDevices: 3,
      maxSessions: 2,
      features: { seats: 2, tier: { name: 'pro' } },
    })
    await license.load('product')
    const first = fingerprint()
    const started = clock.now().toJSDate()
    const { session_token: token } = await bodyOf(api.start(first))
    clock.advance({ seconds: 20 })
    const beat = clock.now().toJSDate()
    await expectStatus(api.heartbeat(token), 200)
    clock.advance({ seconds: 5 })
    const second = fingerprint()
    await expectStatus(api.start(second), 201)

    assert.lengthOf(probe.seen, 2)
    assert.deepEqual(probe.seen[0].live, [])
    const context = probe.seen[1]
    assert.equal(context.fingerprint, second)
    assert.equal(context.maxSessions, 2)
    assert.lengthOf(context.live, 1)
    assert.equal(context.live[0].fingerprint, first)
    assert.equal(context.live[0].startedAt.getTime(), started.getTime())
    assert.equal(context.live[0].lastHeartbeatAt.getTime(), beat.getTime())
    assert.deepEqual(context.license, {
      id: license.id,
      key: license.key,
      maxDevices: 3,
      maxSessions: 2,
      features: { seats: 2, tier: { name: 'pro' } },
      sessionPolicy: 'probe',
      expiresAt: null,
    })
    assert.deepEqual(context.product, {
      id: license.product.id,
      slug: license.product.slug,
      name: license.product.name,
    })
    assert.isTrue(Object.isFrozen(context.license), 'a plain read-only copy, not the model')
    assert.isTrue(Object.isFrozen(context.license.features))
    assert.isTrue(Object.isFrozen(context.product))
  })

  test('refuse with a reason: 409 SESSION_LIMIT_REACHED with error.reason; without one, the plain body', async ({
    client,
    assert,
  }) => {
    useFixedClock()
    const { api } = await SessionClient.forLicense(client, { sessionPolicy: 'probe' })

    probe.decision = { action: 'refuse' }
    const plain = await api.start(fingerprint())
    plain.assertStatus(409)
    assert.deepEqual(Object.keys(plain.body().error), ['code', 'message'])
    assert.equal(plain.body().error.code, 'SESSION_LIMIT_REACHED')

    probe.decision = { action: 'refuse', reason: 'another_device_active' }
    const reasoned = await api.start(fingerprint())
    reasoned.assertStatus(409)
    assert.deepEqual(reasoned.body(), {
      error: { ...plain.body().error, reason: 'another_device_active' },
    })
  })
})
