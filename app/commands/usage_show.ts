import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import vine from '@vinejs/vine'
import LicenseService from '#services/license_service'
import UsageReport, { meterUsageView } from '#services/usage/usage_report'
import { ApiError } from '#exceptions/api_error'
import { CommandFields, LICENSE_KEY_MESSAGES } from '#support/command_input'
import { licenseKeyRule } from '#validators/license_api'

const validator = vine.create({ key: licenseKeyRule() })

const FIELDS = new CommandFields({ key: 'The license key' }, LICENSE_KEY_MESSAGES)

export default class UsageShow extends BaseCommand {
  static commandName = 'usage:show'
  static description = "A license's usage of each meter of its product in the current period"
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The license key' })
  declare key: string

  @flags.boolean({ description: 'Print JSON (as GET /api/license/usage/:key) instead of a table' })
  declare json?: boolean

  async run() {
    const input = await FIELDS.validate(this, validator, { key: this.key })
    if (!input) return
    const { key } = input
    const licenses = await this.app.container.make(LicenseService)
    const report = await this.app.container.make(UsageReport)
    let license
    try {
      license = await licenses.find(key)
    } catch (error) {
      if (!(error instanceof ApiError) || error.apiCode !== 'LICENSE_NOT_FOUND') throw error
      this.logger.error(`No license has the key "${key}"`)
      this.exitCode = 1
      return
    }
    const standings = await report.of(license)
    const meters = standings.map(meterUsageView)
    if (this.json) {
      this.logger.log(JSON.stringify({ license_key: license.key, meters }, null, 2))
      return
    }
    if (meters.length === 0) {
      this.logger.info(`The product ${license.product.slug} has no meters`)
      return
    }
    const table = this.ui.table()
    table.head(['Meter', 'Period', 'Used', 'Limit', 'Remaining', 'Overage', 'Resets at'])
    for (const meter of meters) {
      table.row([
        meter.meter,
        meter.period,
        String(meter.used),
        meter.limit === null ? 'unlimited' : String(meter.limit),
        meter.remaining === null ? '' : String(meter.remaining),
        String(meter.overage),
        meter.resets_at ?? 'never',
      ])
    }
    table.render()
  }
}
