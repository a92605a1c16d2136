/** Codes the SDK itself raises, beside the API's own (`LICENSE_NOT_FOUND`, `SESSION_ENDED`, …). */
export type ClientErrorCode = 'NETWORK_ERROR'

/**
 * Every error the SDK throws. `code` is the API's error code (API.md) when
 * the server answered, or one of the SDK's own: act on `code`, not on the
 * message.
 */
export class LicenseError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown }
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** What the server's error body carried besides code and message. */
export interface ApiErrorDetails {
  end_reason?: string
  update?: UpdateNotice
  fields?: Array<{ field: string; rule: string; message: string }>
  /** `ENTITLEMENTS_MISSING`: the codes the license lacks. */
  missing?: string[]
  /** `USAGE_LIMIT_REACHED`: the period's limit, what is used, when it resets. */
  limit?: number
  used?: number
  resets_at?: string | null
  /** `TRANSFER_COOLDOWN`, `TRANSFER_QUOTA_EXCEEDED`: when the next move is allowed (null: never, a quota of 0). */
  retry_at?: string | null
  [key: string]: unknown
}

/** The server refused the request: `{ error: { code, message, … } }`. */
export class ApiError extends LicenseError {
  constructor(
    code: string,
    message: string,
    readonly status: number,
    readonly details: ApiErrorDetails = {},
    /** Seconds to wait, from `Retry-After`: `RATE_LIMITED`, `TRANSFER_COOLDOWN`, `SERVICE_UNAVAILABLE`. */
    readonly retryAfter: number | null = null
  ) {
    super(code, message)
  }
}

/** The server could not be reached, timed out, or failed (5xx). */
export class NetworkError extends LicenseError {
  constructor(
    message: string,
    readonly status: number | null = null,
    cause?: unknown
  ) {
    super('NETWORK_ERROR', message, { cause })
  }
}

export interface UpdateNotice {
  current_version: string | null
  minimum_version: string | null
  download_url: string | null
  whats_new: string | null
  required: boolean
}

/**
 * True when the failure says nothing about the license: the server was
 * unreachable, broken or busy. Heartbeats retry these; `verify()` falls
 * back to the cached lease.
 */
export function isTransient(error: unknown) {
  if (error instanceof NetworkError) return true
  return error instanceof ApiError && (error.status >= 500 || error.code === 'RATE_LIMITED')
}

/** Answers after which no offline grace may remain. */
const DEFINITIVE = new Set([
  'LICENSE_NOT_FOUND',
  'LICENSE_EXPIRED',
  'LICENSE_SUSPENDED',
  'LICENSE_REVOKED',
  'DEVICE_NOT_FOUND',
  'VERSION_TOO_OLD',
  // `code` of a 200 verify answer
  'EXPIRED',
  'SUSPENDED',
  'REVOKED',
  'DEVICE_NOT_ACTIVATED',
])

export function isDefinitiveRefusal(code: string) {
  return DEFINITIVE.has(code)
}
