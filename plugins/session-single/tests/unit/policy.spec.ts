import { test } from '@japa/runner'
import SingleSessionPolicy from '../../policy.js'

const session = (id: number, fingerprint: string) => ({ id, fingerprint, startedAt: new Date() })

test.group('single policy', () => {
  test('creates when nothing is live, refuses otherwise, the same device included', ({
    assert,
  }) => {
    const policy = new SingleSessionPolicy()
    assert.deepEqual(policy.decide({ maxSessions: 3, fingerprint: 'a', live: [] }), {
      action: 'create',
    })
    for (const holder of ['a', 'b']) {
      assert.deepEqual(
        policy.decide({ maxSessions: 3, fingerprint: 'a', live: [session(1, holder)] }),
        { action: 'refuse' }
      )
    }
  })
})
