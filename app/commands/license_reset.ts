import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import db from '@adonisjs/lucid/services/db'
import type { DatabaseQueryBuilderContract } from '@adonisjs/lucid/types/querybuilder'
import vine from '@vinejs/vine'
import Product from '#models/product'
import AuditTrail from '#services/audit_trail'
import { cliActor } from '#support/actor'
import { CommandFields } from '#support/command_input'
import { productSlugRule } from '#validators/panel_products'

const validator = vine.create({
  product: productSlugRule().optional(),
  batch: vine.string().trim().uuid().optional(),
})

const FIELDS = new CommandFields(
  { product: '--product', batch: '--batch' },
  {
    'product.regex': '--product must be a product slug (lowercase letters, digits and dashes)',
    'product.maxLength': '--product must have at most {{ max }} characters',
    'batch.uuid': '--batch must be a UUID',
  }
)

export default class LicenseReset extends BaseCommand {
  static commandName = 'license:reset'
  static description = 'Delete licenses (all, or one product / batch) with their devices'
  static help = [
    'Without --product or --batch every license is deleted. The deletion is recorded in the',
    'audit log, which keeps its rows.',
  ]
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Only the licenses of this product (slug)' })
  declare product?: string

  @flags.string({ description: 'Only the licenses of this batch (UUID)' })
  declare batch?: string

  @flags.boolean({ description: 'Do not ask for confirmation' })
  declare force?: boolean

  async run() {
    const filters = await FIELDS.validate(this, validator, {
      product: this.product,
      batch: this.batch,
    })
    if (!filters) return

    let productId: number | null = null
    if (filters.product) {
      const product = await Product.findBy('slug', filters.product)
      if (!product) {
        this.logger.error(`No product has the slug "${filters.product}"`)
        this.exitCode = 1
        return
      }
      productId = product.id
    }
    const scope = (query: DatabaseQueryBuilderContract) => {
      if (productId !== null) query.where('product_id', productId)
      if (filters.batch) query.where('batch_id', filters.batch)
      return query
    }
    const description = this.describe(filters)

    const found = await scope(db.from('licenses')).count('* as total').first()
    const matching = Number(found?.total ?? 0)
    if (matching === 0) {
      this.logger.info(`No licenses to delete (${description})`)
      return
    }

    if (!this.force) {
      // A prompt nobody can answer would hang a script or a CI job.
      if (!process.stdin.isTTY) {
        this.logger.error(
          `Refusing to delete ${matching.toLocaleString('en-US')} licenses without confirmation: run this in a terminal, or pass --force`
        )
        this.exitCode = 1
        return
      }
      const confirmed = await this.prompt.confirm(
        `Delete ${matching.toLocaleString('en-US')} licenses (${description}) and their devices? This cannot be undone`
      )
      if (!confirmed) {
        this.logger.info('Nothing deleted')
        return
      }
    }

    const audit = await this.app.container.make(AuditTrail)
    const deleted = await db.transaction(async (trx) => {
      const count = Number(await scope(trx.from('licenses')).delete())
      await audit.record(trx, cliActor(), {
        action: 'license.reset',
        subjectType: 'license',
        subjectId: filters.batch ?? null,
        after: { deleted: count, product: filters.product ?? null, batch: filters.batch ?? null },
      })
      return count
    })
    this.logger.success(`Deleted ${deleted.toLocaleString('en-US')} licenses (${description})`)
    return { deleted }
  }

  protected describe(filters: { product?: string; batch?: string }) {
    const parts = []
    if (filters.product) parts.push(`product "${filters.product}"`)
    if (filters.batch) parts.push(`batch ${filters.batch}`)
    return parts.length > 0 ? parts.join(', ') : 'all products'
  }
}
