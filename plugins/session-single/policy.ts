import type { SessionDecisionContext, SessionPolicy } from '#plugin_host/api'

/**
 * Refuses every start while any session of the license is live, whatever
 * the device and whatever `max_sessions` says.
 */
export default class SingleSessionPolicy implements SessionPolicy {
  /** The policy's name, declared here only: the manifest and the registry take it from here. */
  static readonly policyName = 'single'
  readonly name = SingleSessionPolicy.policyName

  decide({ live }: SessionDecisionContext) {
    return live.length === 0 ? { action: 'create' as const } : { action: 'refuse' as const }
  }
}
