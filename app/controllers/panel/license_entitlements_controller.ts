import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import LicenseEntitlements from '#services/license_entitlements'
import { adminActor } from '#support/actor'
import { redirectWithRefusal } from '#support/panel_refusals'
import { licenseEntitlementValidator } from '#validators/panel_license_entitlements'

const CHANGES = { granted: 'grant', withdrawn: 'withdraw', template: 'reset' } as const

/**
 * The entitlements section of a license's page: grant one, withdraw one,
 * or let the license follow its template again.
 */
@inject()
export default class LicenseEntitlementsController {
  constructor(protected entitlements: LicenseEntitlements) {}

  async update(ctx: HttpContext) {
    const { own } = await ctx.request.validateUsing(licenseEntitlementValidator)
    const licenseId = Number(ctx.params.id)
    const back = `${urlFor('admin.licenses.show', [licenseId])}#entitlements`
    let changed: boolean
    try {
      changed = await this.entitlements[CHANGES[own]](
        licenseId,
        Number(ctx.params.entitlement),
        adminActor(ctx)
      )
    } catch (error) {
      return redirectWithRefusal(ctx, error, back)
    }
    ctx.session.flash(
      'success',
      ctx.i18n.t(changed ? `license_entitlements.saved.${own}` : 'license_entitlements.unchanged')
    )
    return ctx.response.redirect(back)
  }
}
