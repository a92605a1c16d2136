import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import LicenseService from '#services/license_service'
import UsageRecorder from '#services/usage/usage_recorder'
import UsageReport, { meterUsageView } from '#services/usage/usage_report'
import { ApiError } from '#exceptions/api_error'
import { licenseKeyParamValidator } from '#validators/license_api'
import { usageRecordValidator } from '#validators/usage_api'

/**
 * Metered usage of the client API: recording it against a meter's limit,
 * and reading where a license stands.
 */
export default class UsageController {
  /**
   * A replayed answer (same idempotency key) is the first one, refusal
   * included, marked `Idempotent-Replayed: true`. Given only the recorder
   * (method injection): a record builds nothing else.
   */
  @inject()
  async record(ctx: HttpContext, recorder: UsageRecorder) {
    const payload = await ctx.request.validateUsing(usageRecordValidator)
    const outcome = await recorder.record({
      licenseKey: payload.license_key,
      meter: payload.meter,
      amount: payload.amount ?? 1,
      idempotencyKey: payload.idempotency_key ?? null,
      apiKeyId: ctx.apiKey.id,
    })
    if (outcome.replayed) ctx.response.header('Idempotent-Replayed', 'true')
    if (!outcome.recorded) throw new ApiError('USAGE_LIMIT_REACHED', { ...outcome.refusal })
    ctx.response.status(201)
    return outcome.body
  }

  @inject()
  async show(ctx: HttpContext, licenses: LicenseService, report: UsageReport) {
    const { license_key: licenseKey } = await licenseKeyParamValidator.validate(ctx.params)
    const license = await licenses.find(licenseKey)
    const meters = await report.of(license)
    return { license_key: license.key, meters: meters.map(meterUsageView) }
  }
}
