import type { HttpContext } from '@adonisjs/core/http'
import type { ApiErrorCode, RefusalSubject } from '#exceptions/api_error'
import { fingerprintOf } from '#validators/license_api'
import type { SecurityEventInput, SecurityEventKind } from '#services/security/security_events'

/** The client API refusals that are security events, and their kinds. */
const KIND_OF_CODE: Partial<Record<ApiErrorCode, SecurityEventKind>> = {
  LICENSE_NOT_FOUND: 'license_not_found',
  DEVICE_LIMIT_REACHED: 'device_limit_reached',
  SESSION_LIMIT_REACHED: 'session_limit_reached',
  LICENSE_ALREADY_USED: 'single_use_already_used',
  INVALID_API_KEY: 'invalid_api_key',
  RATE_LIMITED: 'rate_limited',
  VERSION_TOO_OLD: 'version_refused',
}

/** A string field of the request (query or parsed body), when it is one. */
function stringInput(ctx: HttpContext, name: string) {
  const value = ctx.request.input(name)
  return typeof value === 'string' && value.length > 0 ? value.slice(0, 500) : null
}

/** The fingerprint a request names, in any of the API's ways of naming it. */
function requestFingerprint(ctx: HttpContext) {
  const named = fingerprintOf({
    hardware_fingerprint: stringInput(ctx, 'hardware_fingerprint') ?? undefined,
    machine_id: stringInput(ctx, 'machine_id') ?? undefined,
    hardware_hash: stringInput(ctx, 'hardware_hash') ?? undefined,
  })
  return named ?? stringInput(ctx, 'domain_fingerprint')
}

/**
 * The security event of a refused client API request, or null when the
 * refusal is not one (a validation error, an ended session). The facts come
 * from the request (IP, user agent, fingerprint, API key) and from what the
 * refusal knew (`ApiError#concerning`: license, product, limit). The route
 * is kept by its pattern, so a license key in a path is never stored.
 */
export function refusalEvent(
  ctx: HttpContext,
  code: ApiErrorCode,
  subject: RefusalSubject = {}
): SecurityEventInput | null {
  const kind = KIND_OF_CODE[code]
  if (!kind) return null
  const details: Record<string, unknown> = { code }
  const route = ctx.route?.pattern
  if (route) details.route = route
  if (subject.limit) details.max = subject.limit.max
  if (subject.reason) details.reason = subject.reason
  const version = stringInput(ctx, 'version')
  if (version) details.version = version
  return {
    kind,
    licenseId: subject.license?.id ?? null,
    productId: subject.license?.productId ?? subject.productId ?? null,
    apiKeyId: ctx.apiKey?.id ?? subject.apiKeyId ?? null,
    ip: ctx.request.ip(),
    fingerprint: subject.fingerprint ?? requestFingerprint(ctx),
    userAgent: ctx.request.header('user-agent') ?? null,
    details,
  }
}
