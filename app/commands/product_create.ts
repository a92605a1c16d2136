import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { errors } from '@vinejs/vine'
import { DomainError } from '#exceptions/domain_error'
import ProductService, { slugFor } from '#services/product_service'
import { cliActor } from '#support/actor'
import { graceSecondsOf, productCreateValidator, productTermsOf } from '#validators/panel_products'

export default class ProductCreate extends BaseCommand {
  static commandName = 'product:create'
  static description = 'Create a product (the panel has the same under "Products")'
  static help = [
    'product:create "My App"                       slug my-app, the default offline grace',
    'product:create "My App" --slug app --offline-grace-days 3',
    'product:create "Kiosk" --offline-grace-days 0   no offline use',
    'product:create "My App" --expiry-grace-days 7 --reclaim-grace-seconds 45',
    'product:create "My App" --transfer-quota 3 --transfer-period-days 90 --transfer-cooldown-hours 24',
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The product name' })
  declare name: string

  @flags.string({
    description: 'Lowercase letters, digits and dashes; derived from the name when left out',
  })
  declare slug?: string

  @flags.string({ description: 'A description for admins' })
  declare description?: string

  @flags.number({
    description:
      'Days clients may work offline from a lease (0 = none; default: LEASE_OFFLINE_GRACE)',
  })
  declare offlineGraceDays?: number

  @flags.number({ description: 'Days an expired license keeps working, as `grace` (default 0)' })
  declare expiryGraceDays?: number

  @flags.number({
    description:
      "Seconds without heartbeat after which a device's session stops blocking others (default: the session timeout)",
  })
  declare reclaimGraceSeconds?: number

  @flags.number({ description: 'Hours between two self-service transfers (default 0)' })
  declare transferCooldownHours?: number

  @flags.number({ description: 'Self-service transfers per period (default: unlimited)' })
  declare transferQuota?: number

  @flags.number({ description: 'Days of the transfer quota period (default 30)' })
  declare transferPeriodDays?: number

  async run() {
    let input
    try {
      input = await productCreateValidator.validate({
        name: this.name,
        slug: this.slug ?? slugFor(this.name ?? ''),
        description: this.description,
        offline_grace_days: this.offlineGraceDays,
        expiry_grace_days: this.expiryGraceDays,
        reclaim_grace_seconds: this.reclaimGraceSeconds,
        transfer_cooldown_hours: this.transferCooldownHours,
        transfer_quota: this.transferQuota,
        transfer_quota_period_days: this.transferPeriodDays,
      })
    } catch (error) {
      if (!(error instanceof errors.E_VALIDATION_ERROR)) throw error
      for (const message of error.messages)
        this.logger.error(`${message.field}: ${message.message}`)
      this.exitCode = 1
      return
    }
    try {
      const products = await this.app.container.make(ProductService)
      const product = await products.create(
        {
          ...input,
          offlineGraceSeconds: graceSecondsOf(input.offline_grace_days),
          ...productTermsOf(input),
        },
        cliActor()
      )
      this.logger.success(`Created product "${product.name}" (slug ${product.slug})`)
    } catch (error) {
      if (!DomainError.is(error, 'slug_taken')) throw error
      this.logger.error(`Another product has the slug "${input.slug}": choose one with --slug`)
      this.exitCode = 1
    }
  }
}
