import { test } from '@japa/runner'
import type { SessionDecisionContext } from '#plugin_host/api'
import SingleSessionPolicy from '../../policy.js'

const session = (id: number, fingerprint: string) => ({
  id,
  fingerprint,
  startedAt: new Date(),
  lastHeartbeatAt: new Date(),
})

const context = (
  fingerprint: string,
  live: SessionDecisionContext['live']
): SessionDecisionContext => ({
  maxSessions: 3,
  fingerprint,
  live,
  license: {
    id: 1,
    key: 'KW-TEST',
    maxDevices: 3,
    maxSessions: 3,
    features: {},
    sessionPolicy: 'single',
    expiresAt: null,
  },
  product: { id: 1, slug: 'app', name: 'App' },
})

test.group('single policy', () => {
  test('creates when nothing is live, refuses otherwise, the same device included', ({
    assert,
  }) => {
    const policy = new SingleSessionPolicy()
    assert.deepEqual(policy.decide(context('a', [])), { action: 'create' })
    for (const holder of ['a', 'b']) {
      assert.deepEqual(policy.decide(context('a', [session(1, holder)])), { action: 'refuse' })
    }
  })
})
