import type { BaseCommand } from '@adonisjs/core/ace'
import i18nManager from '@adonisjs/i18n/services/main'
import { errors, SimpleMessagesProvider } from '@vinejs/vine'
import Product from '#models/product'
import { DomainError } from '#exceptions/domain_error'

/**
 * A mistake in how a command was called, as a DomainError: reported as one
 * line, without a stack trace.
 */
export const usageError = (code: string, message: string) => new DomainError(code, { message })

/**
 * The product named by --product, or the only one there is.
 *
 * @throws DomainError `unknown_product`, `no_product` or `product_required`.
 */
export async function productForCommand(slug: string | undefined) {
  if (slug) {
    const product = await Product.findBy('slug', slug)
    if (!product) throw usageError('unknown_product', `No product has the slug "${slug}"`)
    return product
  }
  const products = await Product.query().orderBy('slug').limit(11)
  if (products.length === 1) return products[0]
  if (products.length === 0) {
    throw usageError('no_product', 'No product exists yet: create one first with product:create')
  }
  const slugs = products.slice(0, 10).map((product) => product.slug)
  const more = products.length > 10 ? ', …' : ''
  throw usageError(
    'product_required',
    `There are several products: choose one with --product (${slugs.join(', ')}${more})`
  )
}

/**
 * How a command names its validator's fields (`rolling_seconds` is
 * `--window`, `code` the CODE argument), for VineJS's messages ("The
 * --window field must be defined") and for the refusals of a rule.
 * `messages` words what a field name alone cannot (`entitlements.*.regex`).
 */
export class CommandFields {
  constructor(
    protected names: Record<string, string> = {},
    protected messages: Record<string, string> = {}
  ) {}

  /** The `messagesProvider` of `validate()`. */
  get messagesProvider() {
    return new SimpleMessagesProvider(this.messages, this.names)
  }

  /**
   * `data` as `validator` reads it, or null once the command has printed
   * why not and set exit code 1 (it then returns).
   */
  async validate<Output>(
    command: BaseCommand,
    validator: {
      validate(
        data: unknown,
        options: { messagesProvider: SimpleMessagesProvider }
      ): Promise<Output>
    },
    data: unknown
  ): Promise<Output | null> {
    try {
      return await validator.validate(data, { messagesProvider: this.messagesProvider })
    } catch (error) {
      const lines = this.refusalLines(error)
      if (!lines) throw error
      for (const line of lines) command.logger.error(line)
      command.exitCode = 1
      return null
    }
  }

  /**
   * The lines a command prints for a refusal: one per invalid field, or the
   * rule's message in English (the panel's text when the rule has one),
   * after the field it concerns. Null for anything else, which the command
   * throws on.
   */
  refusalLines(error: unknown): string[] | null {
    if (error instanceof errors.E_VALIDATION_ERROR) {
      return (error.messages as { message: string }[]).map(({ message }) => message)
    }
    if (error instanceof DomainError) {
      const i18n = i18nManager.locale('en')
      const text = i18n.hasMessage(error.messageKey)
        ? i18n.t(error.messageKey, error.data)
        : error.message
      if (!error.field) return [text]
      return [`${this.names[error.field] ?? `--${error.field.replaceAll('_', '-')}`}: ${text}`]
    }
    return null
  }
}

/** What a command says of a malformed license key (`licenseKeyRule()`) in its field `key`. */
export const LICENSE_KEY_MESSAGES = {
  'key.minLength': 'The license key must have at least {{ min }} characters',
  'key.maxLength': 'The license key must have at most {{ max }} characters',
  'key.regex': 'The license key has letters, digits, dashes and underscores only',
}

/** The refusal lines of a command whose fields are its flags' names. */
export const refusalLines = (error: unknown) => new CommandFields().refusalLines(error)
