import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import EntitlementCatalogue from '#services/catalogue/entitlement_catalogue'
import { cliActor } from '#support/actor'
import { CommandFields, productForCommand } from '#support/command_input'
import { entitlementCreateValidator } from '#validators/catalogue'

const FIELDS = new CommandFields({ code: 'CODE', name: 'NAME', description: '--description' })

export default class EntitlementCreate extends BaseCommand {
  static commandName = 'entitlement:create'
  static description = "Add an entitlement (feature flag) to a product's catalogue"
  static help = [
    'entitlement:create export_pdf "PDF export" --product my-app',
    'The code (lowercase letters, digits, underscores) is what clients check; it cannot change later.',
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Code clients check, e.g. export_pdf' })
  declare code: string

  @args.string({ description: 'Name for admins' })
  declare name: string

  @flags.string({ description: 'Product slug; may be left out when there is only one product' })
  declare product?: string

  @flags.string({ description: 'A description for admins' })
  declare description?: string

  async run() {
    try {
      const input = await entitlementCreateValidator.validate(
        {
          code: this.code,
          name: this.name,
          description: this.description,
        },
        { messagesProvider: FIELDS.messagesProvider }
      )
      const product = await productForCommand(this.product)
      const catalogue = await this.app.container.make(EntitlementCatalogue)
      const entitlement = await catalogue.create(product, input, cliActor())
      this.logger.success(`Created entitlement ${entitlement.code} of product "${product.slug}"`)
    } catch (error) {
      const lines = FIELDS.refusalLines(error)
      if (!lines) throw error
      for (const line of lines) this.logger.error(line)
      this.exitCode = 1
    }
  }
}
