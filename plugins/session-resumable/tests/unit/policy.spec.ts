import { test } from '@japa/runner'
import ResumableSessionPolicy from '../../policy.js'

const session = (id: number, fingerprint: string) => ({
  id,
  fingerprint,
  startedAt: new Date(id * 1000),
})

test.group('resumable policy', () => {
  const policy = new ResumableSessionPolicy()

  test('the same device resumes its newest live session, even at the limit', ({ assert }) => {
    const live = [session(1, 'a'), session(2, 'b'), session(3, 'a')]
    assert.deepEqual(policy.decide({ maxSessions: 3, fingerprint: 'a', live }), {
      action: 'resume',
      sessionId: 3,
    })
  })

  test('another device gets a session below the limit and is refused at it', ({ assert }) => {
    assert.deepEqual(policy.decide({ maxSessions: 2, fingerprint: 'c', live: [session(1, 'a')] }), {
      action: 'create',
    })
    assert.deepEqual(
      policy.decide({ maxSessions: 2, fingerprint: 'c', live: [session(1, 'a'), session(2, 'b')] }),
      { action: 'refuse' }
    )
  })
})
