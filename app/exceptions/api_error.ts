import { Exception } from '@adonisjs/core/exceptions'

/**
 * Every error code a client can meet, with its HTTP status (API.md). The
 * localized message for a code lives in resources/lang/<locale>/api.json.
 */
export const API_ERRORS = {
  INVALID_API_KEY: 401,
  IP_BLOCKED: 403,
  UNAUTHORIZED: 401,
  INVALID_JSON: 400,
  PAYLOAD_TOO_LARGE: 413,
  VALIDATION_ERROR: 422,
  RATE_LIMITED: 429,
  NOT_FOUND: 404,
  LICENSE_NOT_FOUND: 404,
  LICENSE_EXPIRED: 403,
  LICENSE_SUSPENDED: 403,
  LICENSE_REVOKED: 403,
  LICENSE_ALREADY_USED: 409,
  DEVICE_LIMIT_REACHED: 409,
  DEVICE_NOT_FOUND: 404,
  SESSION_LIMIT_REACHED: 409,
  SESSION_ENDED: 410,
  SESSION_NOT_FOUND: 404,
  VERSION_TOO_OLD: 426,
  ENTITLEMENTS_MISSING: 403,
  METER_NOT_FOUND: 404,
  USAGE_LIMIT_REACHED: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  TRANSFER_COOLDOWN: 429,
  TRANSFER_QUOTA_EXCEEDED: 429,
  PRODUCT_NOT_FOUND: 404,
  RESOURCE_NOT_FOUND: 404,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
} as const

export type ApiErrorCode = keyof typeof API_ERRORS

/**
 * What a refusal is about, for the security record (never part of the
 * answer): the license refused, its product, the limit that refused it.
 */
export interface RefusalSubject {
  license?: { id: number; key: string; productId: number; customerId: number | null }
  productId?: number
  limit?: { kind: 'devices' | 'sessions'; max: number }
  /** The device fingerprint the refusal concerns, when the request named one. */
  fingerprint?: string
  /** A revoked API key that was presented (a missing or unknown one has none). */
  apiKeyId?: number
  /** Why, in a word, where the code alone does not say (`revoked`, `unknown`). */
  reason?: string
}

/**
 * A refusal the client is meant to act on. `extra` fields are merged into
 * the `error` object of the body (for example `end_reason`). `messages`,
 * keyed by locale, replaces the default text where it has one for the
 * request's language (a vendor's own session-limit wording).
 */
export class ApiError extends Exception {
  constructor(
    readonly apiCode: ApiErrorCode,
    readonly extra: Record<string, unknown> = {},
    readonly messages: Partial<Record<string, string>> = {}
  ) {
    super(apiCode, { status: API_ERRORS[apiCode], code: apiCode })
  }

  /** The refusal's subject, kept beside it for the security record. */
  subject: RefusalSubject = {}

  concerning(subject: RefusalSubject) {
    this.subject = { ...this.subject, ...subject }
    return this
  }

  /**
   * A `422 VALIDATION_ERROR` for a rule checked outside a validator; the
   * handler words the message in the request's language
   * (`validator.shared.messages.<rule>`).
   */
  static invalidField(field: string, rule: string) {
    return new ApiError('VALIDATION_ERROR', { fields: [{ field, rule }] })
  }
}
