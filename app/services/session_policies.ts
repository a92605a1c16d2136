/**
 * The extension point for session policies. The session engine (core) asks
 * the license's policy what a `start` should do; the policies themselves are
 * plugins that register here from their providers.
 */

/** A live session as a policy sees it. */
export interface LiveSessionSummary {
  id: number
  fingerprint: string
  startedAt: Date
}

export interface SessionDecisionContext {
  /** The license's `max_sessions`. */
  maxSessions: number
  /** The fingerprint asking to start. */
  fingerprint: string
  /** Sessions live right now, oldest first (stale ones are already closed). */
  live: LiveSessionSummary[]
}

export type SessionDecision =
  | { action: 'create' }
  | { action: 'resume'; sessionId: number }
  | { action: 'replace'; sessionIds: number[] }
  | { action: 'refuse' }

/**
 * A policy holds no state: the same context always gets the same decision,
 * which is what makes it safe under many processes.
 */
export interface SessionPolicy {
  readonly name: string
  decide(context: SessionDecisionContext): SessionDecision
}

export interface ResolvedPolicy {
  policy: SessionPolicy
  /** True when the license names a policy that is not available. */
  fellBack: boolean
}

export class SessionPolicyRegistry {
  readonly #policies = new Map<string, SessionPolicy>()

  constructor(readonly defaultPolicyName: string) {}

  register(policy: SessionPolicy) {
    if (this.#policies.has(policy.name)) {
      throw new Error(`Session policy "${policy.name}" is registered twice`)
    }
    this.#policies.set(policy.name, policy)
  }

  has(name: string) {
    return this.#policies.has(name)
  }

  names() {
    return [...this.#policies.keys()]
  }

  /**
   * @throws when an enabled plugin declares a policy (`sessionPolicy` in its
   * manifest, which `plugin:list` reads without running the plugin) that
   * its provider did not register under that name.
   */
  assertDeclaredPoliciesRegistered(plugins: Array<{ name: string; sessionPolicy?: string }>) {
    for (const plugin of plugins) {
      if (plugin.sessionPolicy && !this.has(plugin.sessionPolicy)) {
        throw new Error(
          `Plugin "${plugin.name}" declares the session policy "${plugin.sessionPolicy}" but ` +
            `registered none by that name (registered: ${this.names().join(', ') || 'none'})`
        )
      }
    }
  }

  /**
   * @throws when the configured default is not registered: every license
   * without a usable policy of its own falls back to it.
   */
  assertDefaultAvailable() {
    if (!this.has(this.defaultPolicyName)) {
      throw new Error(
        `The default session policy "${this.defaultPolicyName}" is not available: enable the ` +
          `plugin that provides it, or set defaultSessionPolicy in config/plugins.ts to one of: ` +
          `${this.names().join(', ') || 'none (no session-policy plugin is enabled)'}`
      )
    }
  }

  /**
   * The license's own policy when it is available, else the default.
   */
  resolve(licensePolicy: string | null): ResolvedPolicy {
    const own = licensePolicy ? this.#policies.get(licensePolicy) : undefined
    if (own) return { policy: own, fellBack: false }
    const fallback = this.#policies.get(this.defaultPolicyName)
    if (!fallback) this.assertDefaultAvailable()
    return { policy: fallback!, fellBack: licensePolicy !== null }
  }
}
