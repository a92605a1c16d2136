import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import LicenseService from '#services/license_service'
import { entitlementsCheckValidator } from '#validators/entitlements_api'

/**
 * Entitlements of the client API: whether a license has the features a
 * program is about to use.
 */
@inject()
export default class EntitlementsController {
  constructor(protected licenses: LicenseService) {}

  async check(ctx: HttpContext) {
    const payload = await ctx.request.validateUsing(entitlementsCheckValidator)
    const entitlements = await this.licenses.checkEntitlements({
      licenseKey: payload.license_key,
      entitlements: payload.entitlements,
    })
    return { ok: true, entitlements }
  }
}
