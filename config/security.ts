import env from '#start/env'

/**
 * Security events, detectors and their alerts (README "Security events and
 * alerts", docs/decisions/0018-security-events.md).
 *
 * Every rule has a `threshold` (how many of what it counts, reached within
 * `windowMinutes`, open an alert) and optional automatic `actions`. A
 * product can override `enabled`, `threshold`, `windowMinutes` and
 * `actions` of the rules about licenses in the panel (Products → Security
 * rules); the rules about addresses and API keys apply to all products.
 */
export type SecurityRuleName =
  | 'sharing'
  | 'session_contention'
  | 'key_guessing'
  | 'unauthorized_burst'
  | 'license_flapping'
  | 'clock_rollback'

export type AutomaticAction = 'block_ip' | 'suspend_license' | 'end_sessions'

export interface SecurityRule {
  enabled: boolean
  threshold: number
  windowMinutes: number
  severity: 'low' | 'medium' | 'high'
  actions: AutomaticAction[]
}

/** Rules whose subject is a license, so a product may set them its own way. */
export const LICENSE_RULES: readonly SecurityRuleName[] = [
  'sharing',
  'session_contention',
  'license_flapping',
  'clock_rollback',
]

/** What automatic actions make sense for a rule: an IP to block, a license to act on. */
export const RULE_ACTIONS: Record<SecurityRuleName, readonly AutomaticAction[]> = {
  sharing: ['suspend_license', 'end_sessions'],
  session_contention: ['block_ip', 'suspend_license', 'end_sessions'],
  key_guessing: ['block_ip'],
  unauthorized_burst: ['block_ip'],
  license_flapping: ['suspend_license', 'end_sessions'],
  clock_rollback: ['suspend_license', 'end_sessions'],
}

const securityConfig = {
  /**
   * SECURITY_EVENTS=false stops recording (and so detection) altogether:
   * for comparing `npm run bench` figures with and without it.
   */
  recording: env.get('SECURITY_EVENTS', true),
  /** The in-process buffer is written in one multi-row INSERT this often, or when it holds `flushBatch`. */
  flushIntervalMs: 250,
  flushBatch: 500,
  /** Past this many unwritten events (the database is away), the oldest are dropped. */
  maxBuffered: 20_000,
  /** Events older than this are dropped, a month partition at a time. */
  eventRetentionDays: env.get('SECURITY_EVENT_RETENTION_DAYS', 90),
  partitionsAhead: 2,
  /** How often each process checks whether the blocked-IP list changed (Redis version key). */
  blockedIpRefreshMs: 500,
  /** How often the detectors run (a job of the worker). */
  detectEvery: env.get('SECURITY_DETECT_EVERY', '1m'),
  rules: {
    /** One license used from more than `threshold` distinct devices (or `threshold` × 2 addresses). */
    sharing: { enabled: true, threshold: 4, windowMinutes: 60, severity: 'high', actions: [] },
    /** SESSION_LIMIT_REACHED for one license from devices that hold none of its sessions. */
    session_contention: {
      enabled: true,
      threshold: 5,
      windowMinutes: 30,
      severity: 'medium',
      actions: [],
    },
    /** LICENSE_NOT_FOUND from one IP or one API key. */
    key_guessing: {
      enabled: true,
      threshold: 20,
      windowMinutes: 10,
      severity: 'high',
      actions: [],
    },
    /** INVALID_API_KEY (401) from one IP. */
    unauthorized_burst: {
      enabled: true,
      threshold: 30,
      windowMinutes: 5,
      severity: 'medium',
      actions: [],
    },
    /** One device switching back and forth between two licenses (switches counted). */
    license_flapping: {
      enabled: true,
      threshold: 4,
      windowMinutes: 120,
      severity: 'medium',
      actions: [],
    },
    /** Clock rollback or lease tampering reported by the SDK. */
    clock_rollback: {
      enabled: true,
      threshold: 1,
      windowMinutes: 1440,
      severity: 'high',
      actions: [],
    },
  } satisfies Record<SecurityRuleName, SecurityRule> as Record<SecurityRuleName, SecurityRule>,
}

export default securityConfig
