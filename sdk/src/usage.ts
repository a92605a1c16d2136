/** The last word the server (or, offline, the lease) gave about the license. */
export interface LicenseState {
  /** Effective entitlement codes, sorted; empty when the license is not usable. */
  entitlements: string[]
  /** `active`, `grace`, `expired`, `suspended`, `revoked`; null before any answer. */
  status: string | null
  /** When the expiry grace ends; set while the license is in grace. */
  graceEndsAt: string | null
}

export const UNKNOWN_LICENSE: LicenseState = { entitlements: [], status: null, graceEndsAt: null }

/** What `checkEntitlements()` found. */
export type EntitlementCheck =
  | { ok: true; missing: []; entitlements: string[] }
  | { ok: false; missing: string[]; entitlements: null }

/** A usage record the server accepted (or, for a repeated idempotency key, the first answer again). */
export interface UsageRecord {
  meter: string
  amount: number
  /** Recorded in the current period, this record included. */
  used: number
  /** Null: unlimited. */
  limit: number | null
  /** Null when unlimited; 0 once the limit is reached or passed. */
  remaining: number | null
  /** When the period's count starts again; null for meters that never reset. */
  resetsAt: string | null
  /** Part of the count is above the limit (overage policy `allow` or `tolerance`). */
  overLimit: boolean
  recordedAt: string
  /** The key the record was sent with: yours, or the one the SDK made up. */
  idempotencyKey: string
  /** The server answered an earlier request with the same key again (`Idempotent-Replayed`). */
  replayed: boolean
}

/** One meter of `usage()`. */
export interface MeterUsage {
  meter: string
  name: string
  period: 'none' | 'hour' | 'day' | 'month' | 'year' | 'rolling'
  used: number
  limit: number | null
  remaining: number | null
  resetsAt: string | null
  /** How much of `used` is above the limit. */
  overage: number
}

/** What `transfer()` did. */
export interface TransferResult {
  /** The moved device: same record, new fingerprint. */
  device: Record<string, unknown>
  /** Counted moves (transfers and self-service deactivations) left in the quota period; null: unlimited. */
  transfersLeft: number | null
  /** The earliest the next counted move may happen; null: at once. */
  nextTransferAt: string | null
}

/** Codes only: anything else in a list the server sent is dropped. */
export function codesOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((code) => typeof code === 'string') : []
}

export function usageRecordOf(body: any, idempotencyKey: string, replayed: boolean): UsageRecord {
  return {
    meter: body.meter,
    amount: body.amount,
    used: body.used,
    limit: body.limit ?? null,
    remaining: body.remaining ?? null,
    resetsAt: body.resets_at ?? null,
    overLimit: body.over_limit === true,
    recordedAt: body.recorded_at,
    idempotencyKey,
    replayed,
  }
}

export function meterUsageOf(meter: any): MeterUsage {
  return {
    meter: meter.meter,
    name: meter.name,
    period: meter.period,
    used: meter.used,
    limit: meter.limit ?? null,
    remaining: meter.remaining ?? null,
    resetsAt: meter.resets_at ?? null,
    overage: meter.overage ?? 0,
  }
}
