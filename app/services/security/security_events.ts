import { createHash } from 'node:crypto'

/** Every kind of security event (the CHECK of `security_events.kind`, migration 0011). */
export const SECURITY_EVENT_KINDS = [
  'license_not_found',
  'device_limit_reached',
  'session_limit_reached',
  'single_use_already_used',
  'invalid_api_key',
  'rate_limited',
  'version_refused',
  'lease_tampering',
  'clock_rollback',
  'panel_login_failed',
  'panel_login_locked',
] as const

export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number]

/** What the SDK may report through `POST /api/license/report`. */
export const CLIENT_REPORT_KINDS = ['lease_tampering', 'clock_rollback'] as const
export type ClientReportKind = (typeof CLIENT_REPORT_KINDS)[number]

/** One event as it is recorded; the fingerprint is given raw and stored as its digest. */
export interface SecurityEventInput {
  kind: SecurityEventKind
  at?: Date
  licenseId?: number | null
  productId?: number | null
  apiKeyId?: number | null
  ip?: string | null
  fingerprint?: string | null
  userAgent?: string | null
  details?: Record<string, unknown>
}

/** A row of `security_events`, ready for the multi-row INSERT. */
export interface SecurityEventRow {
  at: Date
  kind: SecurityEventKind
  license_id: number | null
  product_id: number | null
  api_key_id: number | null
  ip: string | null
  fingerprint_digest: string | null
  user_agent: string | null
  details: string
}

const MAX_USER_AGENT = 300

/**
 * The SHA-256 digest of a device fingerprint, in hex: what security events
 * and alert evidence keep instead of the fingerprint itself. PostgreSQL
 * computes the same (`encode(sha256(convert_to(fingerprint, 'UTF8')), 'hex')`),
 * so detectors can match events to the devices and sessions of a license.
 */
export function fingerprintDigest(fingerprint: string) {
  return createHash('sha256').update(fingerprint, 'utf8').digest('hex')
}

/** The SQL twin of fingerprintDigest, for a column or expression holding a raw fingerprint. */
export const fingerprintDigestSql = (column: string) =>
  `encode(sha256(convert_to(${column}, 'UTF8')), 'hex')`

export function securityEventRow(input: SecurityEventInput, now: Date): SecurityEventRow {
  return {
    at: input.at ?? now,
    kind: input.kind,
    license_id: input.licenseId ?? null,
    product_id: input.productId ?? null,
    api_key_id: input.apiKeyId ?? null,
    ip: input.ip || null,
    fingerprint_digest: input.fingerprint ? fingerprintDigest(input.fingerprint) : null,
    user_agent: input.userAgent ? input.userAgent.slice(0, MAX_USER_AGENT) : null,
    details: JSON.stringify(input.details ?? {}),
  }
}
