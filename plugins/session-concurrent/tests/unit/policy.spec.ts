import { test } from '@japa/runner'
import ConcurrentSessionPolicy from '../../policy.js'

const live = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    id: index + 1,
    fingerprint: `device-${index}`,
    startedAt: new Date(index * 1000),
  }))

test.group('concurrent policy', () => {
  test('creates below max_sessions, whatever the device', ({ assert }) => {
    const policy = new ConcurrentSessionPolicy()
    assert.deepEqual(policy.decide({ maxSessions: 3, fingerprint: 'device-0', live: live(2) }), {
      action: 'create',
    })
  })

  test('deny: refuses at the limit', ({ assert }) => {
    const policy = new ConcurrentSessionPolicy('deny')
    assert.deepEqual(policy.decide({ maxSessions: 2, fingerprint: 'x', live: live(2) }), {
      action: 'refuse',
    })
  })

  test('replace_oldest: replaces the oldest, enough to make room', ({ assert }) => {
    const policy = new ConcurrentSessionPolicy('replace_oldest')
    assert.deepEqual(policy.decide({ maxSessions: 2, fingerprint: 'x', live: live(2) }), {
      action: 'replace',
      sessionIds: [1],
    })
    // After max_sessions was lowered from 4 to 2.
    assert.deepEqual(policy.decide({ maxSessions: 2, fingerprint: 'x', live: live(4) }), {
      action: 'replace',
      sessionIds: [1, 2, 3],
    })
  })
})
