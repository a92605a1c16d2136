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
  /** Its last heartbeat: the start itself until the first beat (a resume counts as one). */
  lastHeartbeatAt: Date
}

/**
 * The license asking, as a policy sees it: a plain read-only copy, never
 * the model (a policy decides; the engine writes).
 */
export interface PolicyLicense {
  readonly id: number
  readonly key: string
  readonly maxDevices: number
  readonly maxSessions: number
  readonly features: Readonly<Record<string, unknown>>
  /** The policy the license names; null when it uses the default one. */
  readonly sessionPolicy: string | null
  /** Null for a license that does not expire (or whose clock has not started). */
  readonly expiresAt: Date | null
}

/** The license's product, as a policy sees it. */
export interface PolicyProduct {
  readonly id: number
  readonly slug: string
  readonly name: string
}

export interface SessionDecisionContext {
  /** The license's `max_sessions` (also `license.maxSessions`). */
  maxSessions: number
  /** The fingerprint asking to start. */
  fingerprint: string
  /** Sessions live right now, oldest first (stale ones are already closed). */
  live: LiveSessionSummary[]
  license: PolicyLicense
  product: PolicyProduct
}

/**
 * What the start does. `refuse` answers `409 SESSION_LIMIT_REACHED`; a
 * `reason` (a short snake_case code of the policy's, e.g.
 * `another_device_active`) is added to the error as `error.reason`, for
 * clients that tell the cases apart. Without one the answer is the plain
 * limit refusal.
 */
export type SessionDecision =
  | { action: 'create' }
  | { action: 'resume'; sessionId: number }
  | { action: 'replace'; sessionIds: number[] }
  | { action: 'refuse'; reason?: string }

/**
 * A policy holds no state: the same context always gets the same decision,
 * which is what makes it safe under many processes.
 */
export interface SessionPolicy {
  readonly name: string
  decide(context: SessionDecisionContext): SessionDecision
  /**
   * True when `decide` resumes the device's newest live session whenever
   * the device holds one, whatever else is live. The engine may then
   * resume it without locking the license or reading the other sessions:
   * the hot case of a launcher and its program, or a restart after a crash.
   */
  readonly resumesOwnSession?: boolean
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
