import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import LicenseTemplates from '#services/catalogue/license_templates'
import { cliActor } from '#support/actor'
import { CommandFields, productForCommand, usageError } from '#support/command_input'
import { templateInputOf, templateValidator } from '#validators/catalogue'

/** `exports=100` or `exports=unlimited`, as the validator's meter row. */
function meterLimitOf(flag: string) {
  const match = /^([^=\s]+)=(\S+)$/.exec(flag.trim())
  if (!match) {
    throw usageError('meter_flag', `--meter takes CODE=LIMIT or CODE=unlimited, not "${flag}"`)
  }
  const [, code, limit] = match
  return [code, limit === 'unlimited' ? { mode: 'unlimited' } : { mode: 'limited', limit }] as const
}

const FIELDS = new CommandFields(
  {
    name: 'NAME',
    description: '--description',
    type: '--type',
    expiry_basis: '--expiry-basis',
    max_devices: '--max-devices',
    max_sessions: '--max-sessions',
    session_policy: '--policy',
    entitlements: '--entitlement',
    meters: '--meter',
  },
  {
    'entitlements.*.regex':
      '--entitlement takes entitlement codes (lowercase letters, digits, underscores)',
    'meters.*.limit.number': '--meter takes CODE=LIMIT with a whole number, or CODE=unlimited',
    'meters.*.limit.withoutDecimals':
      '--meter takes CODE=LIMIT with a whole number, or CODE=unlimited',
    'meters.*.limit.range': '--meter limits go from 0 to {{ max }}',
  }
)

export default class TemplateCreate extends BaseCommand {
  static commandName = 'template:create'
  static description =
    'Create a license template of a product (license:generate --template uses it)'
  static help = [
    'template:create Pro --product my-app --type 12m --max-devices 3 --max-sessions 2 \\',
    '  --entitlement export_pdf --entitlement sso --meter exports=500 --meter api_calls=unlimited',
    'Licenses issued from a template follow it: later changes to its entitlements, meter limits,',
    'devices, sessions and policy reach them (type and expiry basis apply when they are issued).',
    'A meter left out keeps its own default limit for the template.',
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The template name (unique per product, any case)' })
  declare name: string

  @flags.string({ description: 'Product slug; may be left out when there is only one product' })
  declare product?: string

  @flags.string({ description: 'License type: perpetual, or a count and h/d/w/m/y (1d, 6m, 90d)' })
  declare type?: string

  @flags.string({
    description: 'When timed licenses start: creation or first_activation (default)',
  })
  declare expiryBasis?: string

  @flags.string({ description: 'Devices per license, 1 to 10 (default 1)' })
  declare maxDevices?: string

  @flags.string({ description: 'Concurrent sessions per license, 1 to max-devices (default 1)' })
  declare maxSessions?: string

  @flags.string({
    description: "Session policy (an enabled plugin's); default: the default policy",
  })
  declare policy?: string

  @flags.array({
    description: 'An entitlement code of the product (repeat, or separate by commas)',
  })
  declare entitlement?: string[]

  @flags.array({ description: 'A meter limit, CODE=LIMIT or CODE=unlimited (repeat)' })
  declare meter?: string[]

  @flags.string({ description: 'A description for admins' })
  declare description?: string

  async run() {
    try {
      if (!this.type) {
        throw usageError(
          'type_required',
          'Give the licenses a type with --type (e.g. 1m, 12m, perpetual)'
        )
      }
      const input = await templateValidator.validate(
        {
          name: this.name,
          description: this.description,
          type: this.type,
          expiry_basis: this.expiryBasis ?? 'first_activation',
          max_devices: this.maxDevices ?? 1,
          max_sessions: this.maxSessions ?? 1,
          session_policy: this.policy,
          entitlements: (this.entitlement ?? []).flatMap((value) =>
            value
              .split(',')
              .map((code) => code.trim())
              .filter(Boolean)
          ),
          meters: Object.fromEntries((this.meter ?? []).map(meterLimitOf)),
        },
        { messagesProvider: FIELDS.messagesProvider }
      )
      const product = await productForCommand(this.product)
      const templates = await this.app.container.make(LicenseTemplates)
      const template = await templates.create(product, templateInputOf(input), cliActor())
      this.logger.success(`Created template "${template.name}" of product "${product.slug}"`)
    } catch (error) {
      const lines = FIELDS.refusalLines(error)
      if (!lines) throw error
      for (const line of lines) this.logger.error(line)
      this.exitCode = 1
    }
  }
}
