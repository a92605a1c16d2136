import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import LicenseService from '#services/license_service'
import { SecurityEventRecorder } from '#services/security/security_event_recorder'
import { securityReportValidator } from '#validators/security_api'

/**
 * `POST /api/license/report`: the SDK reports lease tampering or a clock
 * rolled back. The report is a security event of its kind (the
 * clock-rollback detector raises an alert on it); the answer is `202`
 * once the license is known, before the event is written.
 */
@inject()
export default class SecurityReportsController {
  constructor(
    protected licenses: LicenseService,
    protected securityEvents: SecurityEventRecorder
  ) {}

  async store(ctx: HttpContext) {
    const payload = await ctx.request.validateUsing(securityReportValidator)
    const license = await this.licenses.find(payload.license_key)
    const details: Record<string, unknown> = {}
    if (payload.observed_at) details.observed_at = payload.observed_at
    if (payload.last_seen_at) details.last_seen_at = payload.last_seen_at
    if (payload.lease_id) details.lease_id = payload.lease_id
    if (payload.message) details.message = payload.message
    this.securityEvents.record({
      kind: payload.kind,
      licenseId: license.id,
      productId: license.productId,
      apiKeyId: ctx.apiKey.id,
      ip: ctx.request.ip(),
      fingerprint: payload.hardware_fingerprint ?? null,
      userAgent: ctx.request.header('user-agent') ?? null,
      details,
    })
    ctx.response.status(202)
    return { recorded: true }
  }
}
