import type { SessionDecisionContext, SessionPolicy } from '#services/session_policies'

/**
 * Refuses every start while any session of the license is live, whatever
 * the device and whatever `max_sessions` says.
 */
export default class SingleSessionPolicy implements SessionPolicy {
  readonly name = 'single'

  decide({ live }: SessionDecisionContext) {
    return live.length === 0 ? { action: 'create' as const } : { action: 'refuse' as const }
  }
}
