import { readFile } from 'node:fs/promises'
import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import vine, { errors, SimpleMessagesProvider } from '@vinejs/vine'
import { cliActor, DomainError } from '#plugin_host/api'
import ClientConfigService from '../client_config_service.js'
import { versionRule } from '../validators.js'

const validator = vine.create({
  product: vine
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9-]*$/),
  version: versionRule(),
  minimum: versionRule().optional(),
  downloadUrl: vine
    .string()
    .trim()
    .maxLength(2048)
    .url({ require_protocol: true, protocols: ['http', 'https'] })
    .optional(),
  whatsNew: vine.string().maxLength(20000).optional(),
})

const messages = new SimpleMessagesProvider(
  {
    'product.regex': 'PRODUCT must be a product slug (lowercase letters, digits and dashes)',
    'semver': '{{ field }} must be a version number such as 1.4.2',
    'url': '--download-url must be an http(s) URL',
    'maxLength': '{{ field }} is too long (at most {{ max }} characters)',
  },
  {
    version: 'VERSION',
    minimum: '--minimum',
    downloadUrl: '--download-url',
    whatsNew: '--whats-new-file',
  }
)

/**
 * Publishes a release from a build pipeline: the product's current version
 * (and, optionally, the new minimum, download URL and "what's new"). Like a
 * save in the panel, it writes a revision and an audit row; a product
 * without a client configuration gets one.
 */
export default class VersionPublish extends BaseCommand {
  static commandName = 'version:publish'
  static description =
    "Publish a product's new current version (and optionally minimum, download URL, what's new)"
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The product slug' })
  declare product: string

  @args.string({ description: 'The new current version, e.g. 2.5.0' })
  declare version: string

  @flags.string({ description: 'Also set the minimum supported version (older clients: 426)' })
  declare minimum?: string

  @flags.string({ description: 'Where clients download this version' })
  declare downloadUrl?: string

  @flags.string({ description: "A Markdown file with what's new in this version" })
  declare whatsNewFile?: string

  async run() {
    try {
      await this.publish()
    } catch (error) {
      if (error instanceof errors.E_VALIDATION_ERROR) {
        for (const { message } of error.messages as { message: string }[]) {
          this.logger.error(message)
        }
      } else if (DomainError.is(error)) {
        this.logger.error(
          error.code === 'minimum_above_current'
            ? 'The minimum version cannot be newer than the current version'
            : `${error.field}: ${error.code}`
        )
      } else if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.logger.error(`--whats-new-file: no such file "${this.whatsNewFile}"`)
      } else {
        throw error
      }
      this.exitCode = 1
    }
  }

  protected async publish() {
    const whatsNew = this.whatsNewFile ? await readFile(this.whatsNewFile, 'utf8') : undefined
    const input = await validator.validate(
      {
        product: this.product,
        version: this.version,
        minimum: this.minimum,
        downloadUrl: this.downloadUrl,
        whatsNew,
      },
      { messagesProvider: messages }
    )
    const configs = await this.app.container.make(ClientConfigService)
    const outcome = await configs.publish(input.product, input, cliActor('version:publish'))
    if (outcome.status === 'unknown_product') {
      this.logger.error(`No product has the slug "${input.product}"`)
      this.exitCode = 1
      return
    }
    const { fields } = outcome
    if (outcome.status === 'unchanged') {
      this.logger.info(`${input.product} already publishes ${fields.current_version}`)
      return
    }
    this.logger.success(
      `${input.product}: current version ${fields.current_version}, minimum ${fields.minimum_version}`
    )
  }
}
