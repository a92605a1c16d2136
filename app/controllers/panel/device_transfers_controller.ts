import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import Device from '#models/device'
import DeviceTransfers from '#services/device_transfers'
import { ApiError } from '#exceptions/api_error'
import { adminActor } from '#support/actor'
import { panelTransferValidator } from '#validators/panel_transfers'

/**
 * The transfers section of a license's page: an admin moves one of its
 * active devices to a new fingerprint. The refusals a client would get as
 * API errors come back as the page's messages.
 */
@inject()
export default class DeviceTransfersController {
  constructor(protected transfers: DeviceTransfers) {}

  async store(ctx: HttpContext) {
    const licenseId = Number(ctx.params.id)
    const back = `${urlFor('admin.licenses.show', [licenseId])}#transfers`
    const input = await ctx.request.validateUsing(panelTransferValidator)
    const device = await Device.query()
      .where({ id: input.device_id, licenseId })
      .preload('license')
      .first()
    try {
      if (!device) throw new ApiError('DEVICE_NOT_FOUND')
      await this.transfers.transfer(
        {
          licenseKey: device.license.key,
          from: device.fingerprint,
          to: input.to_fingerprint,
          deviceName: input.device_name,
        },
        adminActor(ctx)
      )
    } catch (error) {
      if (!(error instanceof ApiError)) throw error
      if (error.apiCode === 'VALIDATION_ERROR') {
        ctx.session.flashAll()
        ctx.session.flashErrors({ to_fingerprint: ctx.i18n.t('transfers.fingerprint_taken') })
      } else if (error.apiCode === 'DEVICE_NOT_FOUND') {
        ctx.session.flash('error', ctx.i18n.t('transfers.device_not_active'))
      } else {
        throw error
      }
      return ctx.response.redirect(back)
    }
    ctx.session.flash('success', ctx.i18n.t('transfers.moved', { to: input.to_fingerprint }))
    return ctx.response.redirect(back)
  }
}
