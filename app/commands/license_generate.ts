import { randomUUID } from 'node:crypto'
import { open, unlink, type FileHandle } from 'node:fs/promises'
import { performance } from 'node:perf_hooks'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import db from '@adonisjs/lucid/services/db'
import vine, { errors, SimpleMessagesProvider } from '@vinejs/vine'
import LicenseGenerator from '#services/license_generator'
import LicenseTemplates, { issueTermsOf } from '#services/catalogue/license_templates'
import { SessionPolicyRegistry } from '#services/session_policies'
import { DomainError } from '#exceptions/domain_error'
import { cliActor } from '#support/actor'
import { productForCommand, usageError } from '#support/command_input'
import { CLASSIC_BATCH_TYPES, LICENSE_TYPE_PATTERN } from '#support/license_duration'
import { productSlugRule } from '#validators/panel_products'

const MAX_COUNT = 100_000
const MAX_DEVICES = 10
const CLASSIC_COUNT = 1000
/** Larger batches are only written to --out: a terminal full of keys helps no one. */
const PRINT_LIMIT = 20
/** The largest PostgreSQL integer, the type of customers.id. */
const MAX_INT = 2_147_483_647

/**
 * Refuses a flag given together with one it contradicts.
 */
const conflictsWith = vine.createRule<{ flag: string }>((_value, { flag }, field) => {
  if (field.parent[flag] !== undefined) {
    field.report('{{ field }} cannot be combined with --{{ other }}', 'conflictsWith', field, {
      other: flag,
    })
  }
})

/**
 * The value names an existing row. Lucid's `exists` macro is not used: it
 * is only defined once the app has started, after ace imported this file.
 */
const existsIn = vine.createRule<{ table: string; column: string }>(
  async (value, { table, column }, field) => {
    if (!field.isValid) return
    const row = await db
      .from(table)
      .where(column, value as string | number)
      .first()
    if (!row) field.report('{{ field }} "{{ value }}" does not exist', 'exists', field, { value })
  },
  { isAsync: true }
)

/**
 * max-sessions may not exceed max-devices; the database refuses it too, but
 * only after the whole batch was sent.
 */
const notAboveMaxDevices = vine.createRule((value, _options, field) => {
  if (!field.isValid) return
  const maxDevices = Number(field.parent.maxDevices ?? 1)
  if (Number.isInteger(maxDevices) && Number(value) > maxDevices) {
    field.report('{{ field }} must not exceed --max-devices ({{ max }})', 'maxSessions', field, {
      max: maxDevices,
    })
  }
})

const validator = vine.create({
  classic: vine.literal(true).optional(),
  type: vine
    .string()
    .trim()
    .regex(LICENSE_TYPE_PATTERN)
    .use(conflictsWith({ flag: 'classic' }))
    .use(conflictsWith({ flag: 'template' }))
    .optional()
    .requiredIfMissing(['classic', 'template']),
  /** A template's type, limits, expiry basis and policy are the batch's. */
  template: vine
    .string()
    .trim()
    .minLength(1)
    .maxLength(120)
    .use(conflictsWith({ flag: 'classic' }))
    .optional(),
  count: vine.number().withoutDecimals().range([1, MAX_COUNT]).optional(),
  product: productSlugRule()
    .use(existsIn({ table: 'products', column: 'slug' }))
    .optional(),
  maxDevices: vine
    .number()
    .withoutDecimals()
    .range([1, MAX_DEVICES])
    .use(conflictsWith({ flag: 'template' }))
    .optional(),
  maxSessions: vine
    .number()
    .withoutDecimals()
    .min(1)
    .use(notAboveMaxDevices())
    .use(conflictsWith({ flag: 'template' }))
    .optional(),
  batch: vine.string().trim().uuid().optional(),
  customer: vine
    .number()
    .withoutDecimals()
    .range([1, MAX_INT])
    .use(existsIn({ table: 'customers', column: 'id' }))
    .optional(),
  expiryBasis: vine
    .enum(['creation', 'first_activation'] as const)
    .use(conflictsWith({ flag: 'template' }))
    .optional(),
  policy: vine
    .string()
    .trim()
    .maxLength(60)
    .regex(/^[a-z][a-z0-9-]*$/)
    .use(conflictsWith({ flag: 'template' }))
    .optional(),
  out: vine.string().trim().minLength(1).optional(),
})

/**
 * Messages name the flags as they are typed, e.g. "--count must be between
 * 1 and 100000".
 */
const messages = new SimpleMessagesProvider(
  {
    'required': '{{ field }} is required',
    'number': '{{ field }} must be a number',
    'withoutDecimals': '{{ field }} must be a whole number',
    'range': '{{ field }} must be between {{ min }} and {{ max }}',
    'min': '{{ field }} must be at least {{ min }}',
    'maxLength': '{{ field }} must have at most {{ max }} characters',
    'minLength': '{{ field }} must not be empty',
    'uuid': '{{ field }} must be a UUID',
    'expiryBasis.enum': '--expiry-basis must be creation or first_activation',
    'type.required':
      'Give a license type with --type (e.g. 1m, 6m, perpetual), or use --classic or --template',
    'type.regex':
      '--type must be "perpetual" or a count from 1 to 9999 followed by h, d, w, m or y (e.g. 1d, 6m, 90d, 2y)',
    'product.regex': '--product must be a product slug (lowercase letters, digits and dashes)',
    'product.exists': 'No product has the slug "{{ value }}"',
    'customer.exists': 'No customer has the id {{ value }}',
    'policy.regex': '--policy must be a session policy name (e.g. single, concurrent, resumable)',
  },
  {
    classic: '--classic',
    type: '--type',
    template: '--template',
    count: '--count',
    product: '--product',
    maxDevices: '--max-devices',
    maxSessions: '--max-sessions',
    batch: '--batch',
    customer: '--customer',
    expiryBasis: '--expiry-basis',
    policy: '--policy',
    out: '--out',
  }
)

type Generated = { type: string; keys: string[] }

const formatNumber = (value: number) => value.toLocaleString('en-US')
const formatSeconds = (milliseconds: number) => `${(milliseconds / 1000).toFixed(2)}s`

function progressBar(done: number, total: number, width = 30) {
  const filled = Math.round((done / total) * width)
  const percent = Math.floor((done / total) * 100)
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${formatNumber(done)}/${formatNumber(total)} ${percent}%`
}

class BatchRolledBack extends Error {}

export default class LicenseGenerate extends BaseCommand {
  static commandName = 'license:generate'
  static description = 'Generate a batch of license keys for a product'
  static help = [
    'Examples:',
    '  license:generate --type 1m --count 1000 --product my-app',
    '  license:generate --classic --product my-app --out keys.txt',
    '  license:generate --template Pro --count 50 --product my-app',
    '',
    '--classic issues 1,000 keys (or --count) of each of 1d, 5d, 1m, 6m and 12m under one batch id.',
    '--template NAME issues licenses of a license template (template:list): they get its type, limits,',
    'expiry basis and policy, its entitlements and meter limits, and keep following it.',
    '--policy gives the licenses a session policy of an enabled plugin (node ace.ts plugin:list);',
    'without it they use the default one (defaultSessionPolicy in config/plugins.ts).',
    'Timed licenses start counting at their first activation unless --expiry-basis creation.',
  ]
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'License type: perpetual, or a count and h/d/w/m/y (1d, 6m, 90d)' })
  declare type?: string

  @flags.boolean({ description: 'Generate the classic set: 1d, 5d, 1m, 6m and 12m' })
  declare classic?: boolean

  @flags.string({ description: "Name of one of the product's license templates (template:list)" })
  declare template?: string

  @flags.string({
    description: `How many keys (per type with --classic), 1 to ${MAX_COUNT}; default 1, or ${CLASSIC_COUNT} with --classic`,
  })
  declare count?: string

  @flags.string({ description: 'Product slug; may be left out when there is only one product' })
  declare product?: string

  @flags.string({ description: `Devices per license, 1 to ${MAX_DEVICES} (default 1)` })
  declare maxDevices?: string

  @flags.string({ description: 'Concurrent sessions per license, 1 to max-devices (default 1)' })
  declare maxSessions?: string

  @flags.string({ description: 'Batch id (a UUID) to file the keys under; a new one by default' })
  declare batch?: string

  @flags.string({ description: 'Id of the customer the licenses belong to' })
  declare customer?: string

  @flags.string({
    description: 'When timed licenses start: creation or first_activation (default)',
  })
  declare expiryBasis?: string

  @flags.string({
    description:
      "Session policy of the licenses (an enabled plugin's); default: the default policy",
  })
  declare policy?: string

  @flags.string({
    description: 'Write the keys to this new file, one per line ("type<TAB>key" with --classic)',
  })
  declare out?: string

  async run() {
    try {
      return await this.generate()
    } catch (error) {
      if (error instanceof errors.E_VALIDATION_ERROR) {
        for (const { message } of error.messages as { message: string }[]) {
          this.logger.error(message)
        }
      } else if (error instanceof DomainError) {
        this.logger.error(error.message)
      } else {
        throw error
      }
      this.exitCode = 1
    }
  }

  protected async generate() {
    const input = await validator.validate(
      {
        classic: this.classic ? true : undefined,
        type: this.type,
        template: this.template,
        count: this.count,
        product: this.product,
        maxDevices: this.maxDevices,
        maxSessions: this.maxSessions,
        batch: this.batch,
        customer: this.customer,
        expiryBasis: this.expiryBasis,
        policy: this.policy,
        out: this.out,
      },
      { messagesProvider: messages }
    )
    const product = await productForCommand(input.product)
    if (input.policy) await this.assertPolicyAvailable(input.policy)
    const template = input.template ? await this.findTemplate(product, input.template) : null
    const terms = template ? issueTermsOf(template) : null
    const types: readonly string[] = input.classic
      ? CLASSIC_BATCH_TYPES
      : [terms?.type ?? input.type!]
    const count = input.count ?? (input.classic ? CLASSIC_COUNT : 1)
    const batchId = input.batch ?? randomUUID()
    // Opened before generating: a bad path must not cost a committed batch.
    const file = input.out ? await this.createFile(input.out) : null

    const generator = await this.app.container.make(LicenseGenerator)
    const generated: Generated[] = []
    const started = performance.now()
    const tasks = this.ui.tasks()

    /**
     * All types land in one transaction: a failure part-way leaves no
     * licenses behind, so the command can simply be run again.
     */
    const committed = await db
      .transaction(async (trx) => {
        for (const type of types) {
          tasks.add(`${type} × ${formatNumber(count)}`, async (task) => {
            const typeStarted = performance.now()
            const { keys } = await generator.generate(
              {
                productId: product.id,
                type,
                count,
                customerId: input.customer ?? null,
                maxDevices: input.maxDevices,
                maxSessions: input.maxSessions,
                expiryBasis: input.expiryBasis,
                sessionPolicy: input.policy ?? null,
                ...terms,
                batchId,
              },
              cliActor(),
              (created, total) => task.update(progressBar(created, total)),
              trx
            )
            generated.push({ type, keys })
            return `${formatNumber(keys.length)} keys in ${formatSeconds(performance.now() - typeStarted)}`
          })
        }
        await tasks.run()
        if (tasks.getState() === 'failed') throw new BatchRolledBack()
        return true
      })
      .catch((error) => {
        if (error instanceof BatchRolledBack) return false
        throw error
      })
    const elapsed = performance.now() - started

    if (!committed) {
      generated.length = 0
      if (file) await this.writeKeys(file, input.out!, generated, input.classic === true)
      this.logger.error('Nothing was created: the batch was rolled back')
      this.exitCode = 1
      return { batchId, productId: product.id, counts: {}, total: 0 }
    }

    if (file) await this.writeKeys(file, input.out!, generated, input.classic === true)
    const total = generated.reduce((sum, batch) => sum + batch.keys.length, 0)
    const counts = Object.fromEntries(generated.map((batch) => [batch.type, batch.keys.length]))

    this.logger.success(
      `Created ${formatNumber(total)} licenses for product "${product.slug}" in ${formatSeconds(elapsed)} (${formatNumber(Math.round(total / (elapsed / 1000)))} per second)`
    )
    this.logger.log(`Batch id: ${batchId}`)
    if (generated.length > 1) {
      this.logger.log(
        `Per type: ${generated.map((batch) => `${batch.type} ${formatNumber(batch.keys.length)}`).join(', ')}`
      )
    }
    if (file) {
      this.logger.info(`Keys written to ${input.out}`)
    } else if (total <= PRINT_LIMIT) {
      for (const batch of generated) {
        for (const key of batch.keys) {
          this.logger.log(generated.length > 1 ? `${batch.type}\t${key}` : key)
        }
      }
    } else {
      this.logger.info(
        `Keys not printed (more than ${PRINT_LIMIT}): use --out FILE, or look them up by batch id`
      )
    }
    return { batchId, productId: product.id, counts, total }
  }

  /** The product's template of that name (any case). */
  protected async findTemplate(product: { id: number; slug: string }, name: string) {
    const templates = await this.app.container.make(LicenseTemplates)
    const template = await templates.findByName(product.id, name)
    if (template) return template
    throw usageError(
      'unknown_template',
      `Product "${product.slug}" has no license template "${name}" (template:list shows them)`
    )
  }

  /**
   * The panel's rule: a license names a policy that an enabled plugin
   * provides (a plugin switched off later may leave it behind; the engine
   * then falls back to the default).
   */
  protected async assertPolicyAvailable(name: string) {
    const registry = await this.app.container.make(SessionPolicyRegistry)
    if (registry.has(name)) return
    const available = registry.names().sort()
    throw new DomainError('unknown_policy', {
      field: 'session_policy',
      messageKey: 'licenses.errors.unknown_policy',
      message:
        `No enabled plugin provides the session policy "${name}": choose one of ` +
        `${available.join(', ') || 'none (enable a session-policy plugin first)'}`,
    })
  }

  /**
   * Creates the key file, readable by its owner only: the keys are what
   * customers pay for. An existing file is never overwritten.
   */
  protected async createFile(path: string) {
    try {
      return await open(path, 'wx', 0o600)
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      if (code === 'EEXIST')
        throw usageError('out_exists', `${path} already exists: choose another --out file`)
      throw usageError('out_unwritable', `Cannot create ${path}: ${(error as Error).message}`)
    }
  }

  protected async writeKeys(
    file: FileHandle,
    path: string,
    generated: Generated[],
    withType: boolean
  ) {
    try {
      const lines = generated.flatMap((batch) =>
        batch.keys.map((key) => (withType ? `${batch.type}\t${key}` : key))
      )
      if (lines.length > 0) await file.writeFile(`${lines.join('\n')}\n`)
    } finally {
      await file.close()
    }
    if (generated.length === 0) await unlink(path)
  }
}
