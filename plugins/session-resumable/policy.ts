import type { SessionDecision, SessionDecisionContext, SessionPolicy } from '#plugin_host/api'

/**
 * A start from a device that already holds a live session resumes it (the
 * newest, if it holds several), so a launcher and the program it starts, or
 * a program restarted after a crash, share one session. Other devices get a
 * session while fewer than `max_sessions` are live.
 */
export default class ResumableSessionPolicy implements SessionPolicy {
  /** The policy's name, declared here only: the manifest and the registry take it from here. */
  static readonly policyName = 'resumable'
  readonly name = ResumableSessionPolicy.policyName
  /** `decide` below always resumes the device's own newest live session. */
  readonly resumesOwnSession = true

  decide({ live, maxSessions, fingerprint }: SessionDecisionContext): SessionDecision {
    const own = live.filter((session) => session.fingerprint === fingerprint).at(-1)
    if (own) return { action: 'resume', sessionId: own.id }
    return live.length < maxSessions ? { action: 'create' } : { action: 'refuse' }
  }
}
