import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import vine, { errors } from '@vinejs/vine'
import { cliActor, DomainError } from '#plugin_host/api'
import ResourceAllocator from '../services/allocator.js'

const count = () => vine.number().withoutDecimals().min(0).max(1000).optional()
const validator = vine.create({
  key: vine
    .string()
    .trim()
    .minLength(4)
    .maxLength(64)
    .regex(/^[A-Za-z0-9_-]+$/)
    .toUpperCase(),
  domain: count(),
  ipv4: count(),
  phone: count(),
  count: vine
    .array(
      vine
        .string()
        .trim()
        .regex(/^[a-z][a-z0-9_]{0,29}=\d{1,4}$/)
    )
    .optional(),
  pool: vine.string().trim().minLength(1).maxLength(60).optional(),
})

/**
 * Allocates resources to a license, all or nothing: the counts given, or
 * without any what the license (its template) asks for and lacks.
 */
export default class ResourceAllocate extends BaseCommand {
  static commandName = 'resource:allocate'
  static description =
    'Allocate resources to a license (--domain 2 --ipv4 1; without counts: what its needs lack)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The license key' })
  declare key: string

  @flags.number({ description: 'Domains to allocate' })
  declare domain?: number

  @flags.number({ description: 'IPv4 addresses to allocate' })
  declare ipv4?: number

  @flags.number({ description: 'Phone numbers to allocate' })
  declare phone?: number

  @flags.array({ description: 'Another type: --count TYPE=N (repeatable)' })
  declare count?: string[]

  @flags.string({ description: 'Take them from this pool only' })
  declare pool?: string

  async run() {
    let input
    try {
      input = await validator.validate({
        key: this.key,
        domain: this.domain,
        ipv4: this.ipv4,
        phone: this.phone,
        count: this.count,
        pool: this.pool,
      })
    } catch (error) {
      if (!(error instanceof errors.E_VALIDATION_ERROR)) throw error
      for (const { message } of error.messages as { message: string }[]) this.logger.error(message)
      this.exitCode = 1
      return
    }
    const counts: Record<string, number> = {}
    for (const type of ['domain', 'ipv4', 'phone'] as const) {
      if (input[type] !== undefined) counts[type] = input[type]
    }
    for (const pair of input.count ?? []) {
      const [type, n] = pair.split('=')
      counts[type] = Number(n)
    }
    const allocator = await this.app.container.make(ResourceAllocator)
    const licenseId = await allocator.licenseIdOf(input.key)
    if (licenseId === null) {
      this.logger.error(`No license has the key ${input.key}`)
      this.exitCode = 1
      return
    }
    let result
    try {
      result = await allocator.allocate(
        licenseId,
        Object.keys(counts).length > 0 ? counts : null,
        cliActor(),
        { pool: input.pool ?? null }
      )
    } catch (error) {
      if (!(error instanceof DomainError)) throw error
      this.logger.error(error.message)
      this.exitCode = 1
      return
    }
    if (!result.ok) {
      this.logger.error('Nothing allocated: the pool is short of')
      for (const row of result.short) {
        this.logger.error(`  ${row.type}: ${row.wanted} wanted, ${row.free} free`)
      }
      this.exitCode = 1
      return
    }
    if (result.taken.length === 0) {
      this.logger.info('Nothing to allocate: the license has what it needs')
      return result
    }
    for (const row of result.taken) this.logger.log(`${row.type}\t${row.value}`)
    this.logger.success(`Allocated ${result.taken.length} resource(s) to ${input.key}`)
    return result
  }
}
