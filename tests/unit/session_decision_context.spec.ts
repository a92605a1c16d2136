import { test } from '@japa/runner'
import type {
  LiveSessionSummary,
  SessionDecision,
  SessionDecisionContext,
  SessionPolicy,
} from '#services/session_policies'

/**
 * A policy a plugin author might write with what the decision context now
 * holds: seats come from the license's features, a session whose client
 * has been silent for 20 s is taken over, and a refusal says why.
 */
class SeatsPolicy implements SessionPolicy {
  readonly name = 'seats'

  decide({ live, license, product, fingerprint }: SessionDecisionContext): SessionDecision {
    const seats = Number(license.features.seats ?? license.maxSessions)
    if (live.length < seats) return { action: 'create' }
    const now = live.reduce((latest, s) => Math.max(latest, s.lastHeartbeatAt.getTime()), 0)
    const silent = live.filter((s) => now - s.lastHeartbeatAt.getTime() >= 20_000)
    if (silent.length > 0) return { action: 'replace', sessionIds: [silent[0].id] }
    const own = live.find((s) => s.fingerprint === fingerprint)
    if (own && product.slug === 'launcher') return { action: 'resume', sessionId: own.id }
    return { action: 'refuse', reason: 'all_seats_active' }
  }
}

const session = (id: number, fingerprint: string, beatSecondsAgo: number): LiveSessionSummary => ({
  id,
  fingerprint,
  startedAt: new Date(0),
  lastHeartbeatAt: new Date(100_000 - beatSecondsAgo * 1000),
})

function context(live: LiveSessionSummary[], options: { seats?: number; slug?: string } = {}) {
  return {
    maxSessions: 1,
    fingerprint: 'a',
    live,
    license: Object.freeze({
      id: 7,
      key: 'KW-AAAA',
      maxDevices: 5,
      maxSessions: 1,
      features: Object.freeze(options.seats ? { seats: options.seats } : {}),
      sessionPolicy: 'seats',
      expiresAt: null,
    }),
    product: Object.freeze({ id: 1, slug: options.slug ?? 'app', name: 'App' }),
  } satisfies SessionDecisionContext
}

test.group('A policy written against the decision context', () => {
  const policy = new SeatsPolicy()

  test('reads its limit from the license features', ({ assert }) => {
    const live = [session(1, 'b', 0)]
    assert.deepEqual(policy.decide(context(live)), {
      action: 'refuse',
      reason: 'all_seats_active',
    })
    assert.deepEqual(policy.decide(context(live, { seats: 2 })), { action: 'create' })
  })

  test('takes over a session by its last heartbeat', ({ assert }) => {
    const live = [session(1, 'b', 30), session(2, 'c', 0)]
    assert.deepEqual(policy.decide(context(live, { seats: 2 })), {
      action: 'replace',
      sessionIds: [1],
    })
  })

  test('decides by the product', ({ assert }) => {
    const live = [session(1, 'a', 0)]
    assert.deepEqual(policy.decide(context(live, { slug: 'launcher' })), {
      action: 'resume',
      sessionId: 1,
    })
    assert.equal(policy.decide(context(live)).action, 'refuse')
  })
})
