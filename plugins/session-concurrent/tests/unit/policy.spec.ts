import { test } from '@japa/runner'
import type { SessionDecisionContext } from '#plugin_host/api'
import ConcurrentSessionPolicy from '../../policy.js'

const live = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    id: index + 1,
    fingerprint: `device-${index}`,
    startedAt: new Date(index * 1000),
    lastHeartbeatAt: new Date(index * 1000),
  }))

const context = (maxSessions: number, fingerprint: string, count: number) =>
  ({
    maxSessions,
    fingerprint,
    live: live(count),
    license: {
      id: 1,
      key: 'KW-TEST',
      maxDevices: 10,
      maxSessions,
      features: {},
      sessionPolicy: 'concurrent',
      expiresAt: null,
    },
    product: { id: 1, slug: 'app', name: 'App' },
  }) satisfies SessionDecisionContext

test.group('concurrent policy', () => {
  test('creates below max_sessions, whatever the device', ({ assert }) => {
    const policy = new ConcurrentSessionPolicy()
    assert.deepEqual(policy.decide(context(3, 'device-0', 2)), { action: 'create' })
  })

  test('deny: refuses at the limit', ({ assert }) => {
    const policy = new ConcurrentSessionPolicy('deny')
    assert.deepEqual(policy.decide(context(2, 'x', 2)), { action: 'refuse' })
  })

  test('replace_oldest: replaces the oldest, enough to make room', ({ assert }) => {
    const policy = new ConcurrentSessionPolicy('replace_oldest')
    assert.deepEqual(policy.decide(context(2, 'x', 2)), { action: 'replace', sessionIds: [1] })
    // After max_sessions was lowered from 4 to 2.
    assert.deepEqual(policy.decide(context(2, 'x', 4)), {
      action: 'replace',
      sessionIds: [1, 2, 3],
    })
  })
})
