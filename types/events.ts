/**
 * The domain events the core and plugins emit through the framework's
 * emitter (`@adonisjs/core/services/emitter`), for whoever wants to react
 * (the notifications plugin sends them as webhooks and e-mail). Payloads are
 * plain JSON-able facts, not models: a listener that needs more loads it.
 * An emit never waits for its listeners, and a listener that fails never
 * fails the request that emitted.
 */

/** Who caused a change: an admin of the panel, a command, a job or a client. */
export interface EventActor {
  kind: 'admin' | 'system' | 'client'
  id: number | null
  email: string | null
}

/** A license as an event names it. */
export interface EventLicense {
  id: number
  key: string
  productId: number
  customerId: number | null
}

declare module '@adonisjs/core/types' {
  interface EventsList {
    /** A batch of licenses was issued (one event per batch, however large). */
    'license:created': { licenses: EventLicense[]; batchId: string | null; actor: EventActor }
    /** Licenses were suspended, reactivated or revoked (by an admin or an automatic action). */
    'license:status_changed': {
      licenses: EventLicense[]
      status: 'active' | 'suspended' | 'revoked'
      actor: EventActor
    }
    /** A license expires within the configured number of days (daily job, once per license and expiry). */
    'license:expiring': { license: EventLicense; expiresAt: string; daysLeft: number }
    /** A license's expiry (or its grace) has passed (daily job, once per license and expiry). */
    'license:expired': { license: EventLicense; expiredAt: string }
    /** A client was refused because the license's device or session limit is reached. */
    'license:limit_reached': {
      license: EventLicense
      limit: 'devices' | 'sessions'
      max: number
      fingerprintDigest: string | null
      ip: string | null
    }
    /** A usage record was refused with USAGE_LIMIT_REACHED. */
    'usage:limit_reached': {
      license: EventLicense
      meter: string
      limit: number
      used: number
      resetsAt: string | null
    }
    /** A detector opened a security alert. */
    'security:alert_opened': {
      alertId: number
      rule: string
      severity: 'low' | 'medium' | 'high'
      summary: string
      license: EventLicense | null
      ip: string | null
    }
    /** A scheduled or requested backup failed. */
    'backup:failed': { backupId: number | null; reason: string }
    /** No successful backup within the configured age. */
    'backup:overdue': { lastSuccessAt: string | null; maxAgeHours: number }
    /** The job worker has not beaten for longer than allowed. */
    'worker:silent': { lastBeatAt: string | null }
  }
}
