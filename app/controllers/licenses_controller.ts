import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import LicenseService from '#services/license_service'
import { deviceView, licenseView } from '#services/license_view'
import { SessionPolicyRegistry } from '#services/session_policies'
import { Clock } from '#support/clock'
import { withRetryAfter } from '#support/retry_after'
import type { Actor } from '#support/actor'
import {
  activateValidator,
  deactivateValidator,
  fingerprintOf,
  licenseKeyParamValidator,
  verifyValidator,
} from '#validators/license_api'

export function apiActor(ctx: HttpContext): Actor {
  return { type: 'api_key', id: ctx.apiKey.id, label: ctx.apiKey.name, ip: ctx.request.ip() }
}

/**
 * Licenses and devices of the client API (API.md).
 */
@inject()
export default class LicensesController {
  constructor(
    protected licenses: LicenseService,
    protected clock: Clock,
    protected policies: SessionPolicyRegistry
  ) {}

  protected async view(license: Parameters<typeof licenseView>[0], devicesInUse?: number) {
    devicesInUse ??= await this.licenses.countActiveDevices(license.id)
    const { policy } = this.policies.resolve(license.sessionPolicy)
    return licenseView(license, devicesInUse, this.clock.now(), policy.name)
  }

  async activate(ctx: HttpContext) {
    const payload = await ctx.request.validateUsing(activateValidator)
    const { license, device, created } = await this.licenses.activate(
      {
        licenseKey: payload.license_key,
        fingerprint: fingerprintOf(payload)!,
        name: payload.device_name,
        type: payload.device_type,
      },
      apiActor(ctx)
    )
    ctx.response.status(created ? 201 : 200)
    return { license: await this.view(license), device: deviceView(device) }
  }

  async deactivate(ctx: HttpContext) {
    const payload = await ctx.request.validateUsing(deactivateValidator)
    await withRetryAfter(ctx, this.clock.now(), () =>
      this.licenses.deactivate(
        { licenseKey: payload.license_key, fingerprint: fingerprintOf(payload)! },
        apiActor(ctx)
      )
    )
    return { deactivated: true }
  }

  async verify(ctx: HttpContext) {
    const payload = await ctx.request.validateUsing(verifyValidator)
    const { license, code, entitlements, update, lease, devicesInUse, extensions } =
      await this.licenses.verify({
        licenseKey: payload.license_key,
        fingerprint: fingerprintOf(payload),
        version: payload.version,
      })
    return {
      valid: code === 'VALID',
      code,
      license: await this.view(license, devicesInUse),
      ...(entitlements ? { entitlements } : {}),
      ...(lease ? { lease } : {}),
      ...(update ? { update } : {}),
      ...extensions,
    }
  }

  async info(ctx: HttpContext) {
    const { license_key: licenseKey } = await licenseKeyParamValidator.validate(ctx.params)
    return this.view(await this.licenses.find(licenseKey))
  }
}
