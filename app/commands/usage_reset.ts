import { args, BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import vine from '@vinejs/vine'
import LicenseService from '#services/license_service'
import UsageAdmin from '#services/usage/usage_admin'
import { ApiError } from '#exceptions/api_error'
import { DomainError } from '#exceptions/domain_error'
import { cliActor } from '#support/actor'
import { CommandFields, LICENSE_KEY_MESSAGES } from '#support/command_input'
import { licenseKeyRule } from '#validators/license_api'
import { METER_CODE } from '#validators/usage_api'

const validator = vine.create({ key: licenseKeyRule(), meter: vine.string().regex(METER_CODE) })

const FIELDS = new CommandFields(
  { key: 'The license key', meter: 'The meter' },
  {
    ...LICENSE_KEY_MESSAGES,
    'meter.regex': 'The meter is its code: a lowercase letter, then letters, digits or _',
  }
)

export default class UsageReset extends BaseCommand {
  static commandName = 'usage:reset'
  static description = "Start a license's current period of a meter again from zero (audited)"
  static help = [
    'The usage events stay (analytics keep them); only the counter of the current period,',
    'or the window of a rolling meter, starts again.',
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The license key' })
  declare key: string

  @args.string({ description: 'The meter code (e.g. exports)' })
  declare meter: string

  async run() {
    const input = await FIELDS.validate(this, validator, { key: this.key, meter: this.meter })
    if (!input) return
    const licenses = await this.app.container.make(LicenseService)
    const usage = await this.app.container.make(UsageAdmin)
    try {
      const license = await licenses.find(input.key)
      const { usedBefore } = await usage.reset(license, input.meter, cliActor())
      this.logger.success(
        `${input.meter} of ${license.key} starts again from zero (${usedBefore} used before)`
      )
    } catch (error) {
      if (error instanceof ApiError && error.apiCode === 'LICENSE_NOT_FOUND') {
        this.logger.error(`No license has the key "${input.key}"`)
      } else if (DomainError.is(error, 'unknown_meter')) {
        this.logger.error(error.message)
      } else {
        throw error
      }
      this.exitCode = 1
    }
  }
}
