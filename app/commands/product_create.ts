import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { errors } from '@vinejs/vine'
import { DomainError } from '#exceptions/domain_error'
import ProductService, { slugFor } from '#services/product_service'
import { cliActor } from '#support/actor'
import { graceSecondsOf, productCreateValidator } from '#validators/panel_products'

export default class ProductCreate extends BaseCommand {
  static commandName = 'product:create'
  static description = 'Create a product (the panel has the same under "Products")'
  static help = [
    'product:create "My App"                       slug my-app, the default offline grace',
    'product:create "My App" --slug app --offline-grace-days 3',
    'product:create "Kiosk" --offline-grace-days 0   no offline use',
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

  async run() {
    let input
    try {
      input = await productCreateValidator.validate({
        name: this.name,
        slug: this.slug ?? slugFor(this.name ?? ''),
        description: this.description,
        offline_grace_days: this.offlineGraceDays,
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
        { ...input, offlineGraceSeconds: graceSecondsOf(input.offline_grace_days) },
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
