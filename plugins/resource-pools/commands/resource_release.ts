import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import vine, { errors } from '@vinejs/vine'
import { cliActor, DomainError } from '#plugin_host/api'
import ResourceAllocator from '../services/allocator.js'

const validator = vine.create({
  key: vine
    .string()
    .trim()
    .minLength(4)
    .maxLength(64)
    .regex(/^[A-Za-z0-9_-]+$/)
    .toUpperCase(),
  reason: vine.string().trim().maxLength(500).optional(),
})

/** Releases a license's resources (to quarantine or back, as each type is configured). */
export default class ResourceRelease extends BaseCommand {
  static commandName = 'resource:release'
  static description = "Release a license's resources (to quarantine or back to the pool)"
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The license key' })
  declare key: string

  @flags.string({ description: 'Why (kept in the history)' })
  declare reason?: string

  async run() {
    let input
    try {
      input = await validator.validate({ key: this.key, reason: this.reason })
    } catch (error) {
      if (!(error instanceof errors.E_VALIDATION_ERROR)) throw error
      for (const { message } of error.messages as { message: string }[]) this.logger.error(message)
      this.exitCode = 1
      return
    }
    const allocator = await this.app.container.make(ResourceAllocator)
    const licenseId = await allocator.licenseIdOf(input.key)
    if (licenseId === null) {
      this.logger.error(`No license has the key ${input.key}`)
      this.exitCode = 1
      return
    }
    try {
      const released = await allocator.release(licenseId, cliActor(), {
        reason: input.reason ?? null,
      })
      for (const row of released) this.logger.log(`${row.type}\t${row.value}\t${row.status}`)
      this.logger.success(`Released ${released.length} resource(s) of ${input.key}`)
      return released
    } catch (error) {
      if (!(error instanceof DomainError)) throw error
      this.logger.error(error.message)
      this.exitCode = 1
    }
  }
}
