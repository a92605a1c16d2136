import { readFile } from 'node:fs/promises'
import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import vine, { errors } from '@vinejs/vine'
import i18nManager from '@adonisjs/i18n/services/main'
import { cliActor } from '#plugin_host/api'
import ResourceInventory from '../services/inventory.js'
import PoolsSettings from '../services/settings.js'

const validator = vine.create({
  type: vine
    .string()
    .trim()
    .regex(/^[a-z][a-z0-9_]{0,29}$/),
  pool: vine.string().trim().minLength(1).maxLength(60).optional(),
  notes: vine.string().trim().maxLength(2000).optional(),
})

/**
 * Adds resources of one type from the command line or a file (one value
 * per line; an IPv4 CIDR range adds its addresses): all or none, with
 * every problem by line.
 */
export default class ResourceAdd extends BaseCommand {
  static commandName = 'resource:add'
  static description = 'Add resources of a type to the pool (values, or --file with one per line)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The type: domain, ipv4, phone or a configured one' })
  declare type: string

  @args.spread({ description: 'The values', required: false })
  declare values?: string[]

  @flags.string({ description: 'A file with one value per line' })
  declare file?: string

  @flags.string({ description: 'The pool to put them in (e.g. a provider or region)' })
  declare pool?: string

  @flags.string({ description: 'Notes for every added resource' })
  declare notes?: string

  async run() {
    let input
    try {
      input = await validator.validate({ type: this.type, pool: this.pool, notes: this.notes })
    } catch (error) {
      if (!(error instanceof errors.E_VALIDATION_ERROR)) throw error
      for (const { message } of error.messages as { message: string }[]) this.logger.error(message)
      this.exitCode = 1
      return
    }
    const settings = await this.app.container.make(PoolsSettings)
    if (!settings.typeOf(input.type)) {
      this.logger.error(`Unknown type "${input.type}": use one of ${settings.typeNames.join(', ')}`)
      this.exitCode = 1
      return
    }
    let values = this.values ?? []
    if (this.file) {
      try {
        const text = await readFile(this.file, 'utf8')
        values = [...values, ...text.split(/\r?\n/)]
      } catch (error) {
        this.logger.error(`Cannot read ${this.file}: ${(error as Error).message}`)
        this.exitCode = 1
        return
      }
    }
    const lines = values
      .map((value, index) => ({
        line: index + 1,
        type: input.type,
        value,
        pool: input.pool ?? null,
        notes: input.notes ?? null,
      }))
      .filter((line) => line.value.trim() !== '')
    const inventory = await this.app.container.make(ResourceInventory)
    const result = await inventory.add(lines, cliActor())
    if (!result.ok) {
      const i18n = i18nManager.locale('en')
      this.logger.error(`Nothing added: ${result.problems.length} problem(s)`)
      for (const problem of result.problems) {
        const text = i18n.t(`resource_pools.problems.${problem.problem}`, problem.data ?? {})
        this.logger.error(
          `line ${problem.line}: ${problem.value ? `${problem.value}: ` : ''}${text}`
        )
      }
      this.exitCode = 1
      return
    }
    this.logger.success(`Added ${result.added} resource(s) of type ${input.type}`)
    return result
  }
}
