import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import DeviceTransfers from '#services/device_transfers'
import { deviceView } from '#services/license_view'
import { apiActor } from '#controllers/licenses_controller'
import { Clock } from '#support/clock'
import { withRetryAfter } from '#support/retry_after'
import { transferValidator } from '#validators/transfers_api'

/**
 * Device transfers of the client API (docs/api.md, Transfers).
 */
@inject()
export default class TransfersController {
  constructor(
    protected transfers: DeviceTransfers,
    protected clock: Clock
  ) {}

  async transfer(ctx: HttpContext) {
    const payload = await ctx.request.validateUsing(transferValidator)
    const { device, standing, nextTransferAt } = await withRetryAfter(ctx, this.clock.now(), () =>
      this.transfers.transfer(
        {
          licenseKey: payload.license_key,
          from: payload.from_fingerprint,
          to: payload.to_fingerprint,
          deviceName: payload.device_name,
        },
        apiActor(ctx)
      )
    )
    return {
      transferred: true,
      device: deviceView(device),
      transfers_left: standing.transfersLeft,
      next_transfer_at: nextTransferAt?.toUTC().toISO() ?? null,
    }
  }
}
