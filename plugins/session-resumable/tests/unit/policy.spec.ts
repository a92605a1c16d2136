import { test } from '@japa/runner'
import type { SessionDecisionContext } from '#plugin_host/api'
import ResumableSessionPolicy from '../../policy.js'

const session = (id: number, fingerprint: string) => ({
  id,
  fingerprint,
  startedAt: new Date(id * 1000),
  lastHeartbeatAt: new Date(id * 1000),
})

const context = (
  maxSessions: number,
  fingerprint: string,
  live: SessionDecisionContext['live']
): SessionDecisionContext => ({
  maxSessions,
  fingerprint,
  live,
  license: {
    id: 1,
    key: 'KW-TEST',
    maxDevices: maxSessions,
    maxSessions,
    features: {},
    sessionPolicy: 'resumable',
    expiresAt: null,
  },
  product: { id: 1, slug: 'app', name: 'App' },
})

test.group('resumable policy', () => {
  const policy = new ResumableSessionPolicy()

  test('the same device resumes its newest live session, even at the limit', ({ assert }) => {
    const live = [session(1, 'a'), session(2, 'b'), session(3, 'a')]
    assert.deepEqual(policy.decide(context(3, 'a', live)), { action: 'resume', sessionId: 3 })
  })

  test('another device gets a session below the limit and is refused at it', ({ assert }) => {
    assert.deepEqual(policy.decide(context(2, 'c', [session(1, 'a')])), { action: 'create' })
    assert.deepEqual(policy.decide(context(2, 'c', [session(1, 'a'), session(2, 'b')])), {
      action: 'refuse',
    })
  })
})
