import type { SessionDecision, SessionDecisionContext, SessionPolicy } from '#plugin_host/api'

export const ON_LIMIT = ['deny', 'replace_oldest'] as const
export type OnLimit = (typeof ON_LIMIT)[number]

/**
 * Any device, the same one included, gets a session of its own while fewer
 * than `max_sessions` are live. At the limit it is refused, or, with
 * `replace_oldest`, the oldest live sessions end as `replaced` to make room.
 */
export default class ConcurrentSessionPolicy implements SessionPolicy {
  /** The policy's name, declared here only: the manifest and the registry take it from here. */
  static readonly policyName = 'concurrent'
  readonly name = ConcurrentSessionPolicy.policyName

  constructor(readonly onLimit: OnLimit = 'deny') {}

  decide({ live, maxSessions }: SessionDecisionContext): SessionDecision {
    if (live.length < maxSessions) return { action: 'create' }
    if (this.onLimit === 'deny') return { action: 'refuse' }
    const surplus = live.length - maxSessions + 1
    return { action: 'replace', sessionIds: live.slice(0, surplus).map((session) => session.id) }
  }
}
