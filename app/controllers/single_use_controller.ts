import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import LicenseService from '#services/license_service'
import { apiActor } from '#controllers/licenses_controller'
import { Clock } from '#support/clock'
import { isLicenseUsable } from '#rules/license_usable'
import { licenseKeyParamValidator, singleUseActivateValidator } from '#validators/license_api'

/**
 * Single-use activation, compatible with the older validation servers.
 */
@inject()
export default class SingleUseController {
  constructor(
    protected licenses: LicenseService,
    protected clock: Clock
  ) {}

  async validate(ctx: HttpContext) {
    const { license_key: licenseKey } = await licenseKeyParamValidator.validate(ctx.params)
    const license = await this.licenses.find(licenseKey)
    return {
      valid: isLicenseUsable(license, this.clock.now()),
      used: license.used,
      type: license.type,
      expires_at: license.expiresAt?.toUTC().toISO() ?? null,
    }
  }

  async activate(ctx: HttpContext) {
    const payload = await ctx.request.validateUsing(singleUseActivateValidator)
    const { license } = await this.licenses.activateSingleUse(
      { licenseKey: payload.license_key, fingerprint: payload.domain_fingerprint },
      apiActor(ctx)
    )
    return { activated: true, expires_at: license.expiresAt?.toUTC().toISO() ?? null }
  }

  async stats() {
    return this.licenses.stats()
  }
}
