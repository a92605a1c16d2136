import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import MeterCatalogue from '#services/catalogue/meter_catalogue'
import { cliActor } from '#support/actor'
import { CommandFields, productForCommand } from '#support/command_input'
import { meterCreateValidator, meterInputOf } from '#validators/catalogue'

const FIELDS = new CommandFields({
  code: 'CODE',
  name: 'NAME',
  description: '--description',
  period: '--period',
  rolling_seconds: '--window',
  time_zone: '--time-zone',
  default_limit: '--limit',
  overage: '--overage',
  tolerance_percent: '--tolerance',
})

export default class MeterCreate extends BaseCommand {
  static commandName = 'meter:create'
  static description = "Add a meter (usage limit) to a product's catalogue"
  static help = [
    'meter:create exports "PDF exports" --period month --limit 100 --time-zone Europe/Berlin',
    'meter:create api_calls "API calls" --period rolling --window 3600 --limit 1000 --overage tolerance --tolerance 10',
    'meter:create seats "Seats" --period none            unlimited unless a template or license sets a limit',
    'Periods: none, hour, day, month (default), year (calendar-aligned in --time-zone), rolling (--window seconds).',
    'Above the limit (--overage): deny (default), allow (recorded and flagged), tolerance (--tolerance percent more).',
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Code clients record usage under, e.g. exports' })
  declare code: string

  @args.string({ description: 'Name for admins' })
  declare name: string

  @flags.string({ description: 'Product slug; may be left out when there is only one product' })
  declare product?: string

  @flags.string({ description: 'none, hour, day, month (default), year or rolling' })
  declare period?: string

  @flags.string({ description: 'Seconds of a rolling window (60 to 31622400)' })
  declare window?: string

  @flags.string({ description: 'IANA time zone of the calendar periods (default UTC)' })
  declare timeZone?: string

  @flags.string({ description: 'Default limit per license and period (default: unlimited)' })
  declare limit?: string

  @flags.string({ description: 'deny (default), allow or tolerance' })
  declare overage?: string

  @flags.string({ description: 'Percent above the limit that tolerance still records (1 to 1000)' })
  declare tolerance?: string

  @flags.string({ description: 'A description for admins' })
  declare description?: string

  async run() {
    try {
      const input = await meterCreateValidator.validate(
        {
          code: this.code,
          name: this.name,
          description: this.description,
          period: this.period ?? 'month',
          rolling_seconds: this.window,
          time_zone: this.timeZone,
          default_limit: this.limit,
          overage: this.overage ?? 'deny',
          tolerance_percent: this.tolerance,
        },
        { messagesProvider: FIELDS.messagesProvider }
      )
      const product = await productForCommand(this.product)
      const catalogue = await this.app.container.make(MeterCatalogue)
      const meter = await catalogue.create(
        product,
        { code: input.code, ...meterInputOf(input) },
        cliActor()
      )
      this.logger.success(`Created meter ${meter.code} of product "${product.slug}"`)
    } catch (error) {
      const lines = FIELDS.refusalLines(error)
      if (!lines) throw error
      for (const line of lines) this.logger.error(line)
      this.exitCode = 1
    }
  }
}
