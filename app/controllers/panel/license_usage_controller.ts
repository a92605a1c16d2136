import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import License from '#models/license'
import UsageAdmin, { type OwnLimit } from '#services/usage/usage_admin'
import { adminActor } from '#support/actor'
import { redirectWithRefusal } from '#support/panel_refusals'
import { meterLimitValidator } from '#validators/panel_license_usage'

/**
 * The meters section of a license's page: the license's own limit of a
 * meter, and a reset of the meter's current period.
 */
@inject()
export default class LicenseUsageController {
  constructor(protected usage: UsageAdmin) {}

  async limit(ctx: HttpContext) {
    const license = await License.findOrFail(ctx.params.id)
    const back = this.back(license)
    const input = await ctx.request.validateUsing(meterLimitValidator)
    const own: OwnLimit =
      input.mode === 'limit' ? { mode: 'limit', limit: input.limit! } : { mode: input.mode }
    let changed: boolean
    try {
      ;({ changed } = await this.usage.setOwnLimit(license, ctx.params.meter, own, adminActor(ctx)))
    } catch (error) {
      return redirectWithRefusal(ctx, error, back)
    }
    ctx.session.flash(
      'success',
      ctx.i18n.t(changed ? `license_usage.limit_saved.${own.mode}` : 'license_usage.unchanged', {
        meter: ctx.params.meter,
      })
    )
    return ctx.response.redirect(back)
  }

  async reset(ctx: HttpContext) {
    const license = await License.findOrFail(ctx.params.id)
    const back = this.back(license)
    try {
      await this.usage.reset(license, ctx.params.meter, adminActor(ctx))
    } catch (error) {
      return redirectWithRefusal(ctx, error, back)
    }
    ctx.session.flash(
      'success',
      ctx.i18n.t('license_usage.reset_done', { meter: ctx.params.meter })
    )
    return ctx.response.redirect(back)
  }

  protected back(license: License) {
    return `${urlFor('admin.licenses.show', [license.id])}#meters`
  }
}
