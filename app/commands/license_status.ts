import { args, BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import LicenseService from '#services/license_service'
import { ApiError } from '#exceptions/api_error'
import type { StoredLicenseStatus } from '#models/license'
import { cliActor } from '#support/actor'

const STATUSES: StoredLicenseStatus[] = ['active', 'suspended', 'revoked']

export default class LicenseStatus extends BaseCommand {
  static commandName = 'license:status'
  static description =
    'Suspend, revoke or reactivate a license; leaving active ends its live sessions'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The license key' })
  declare key: string

  @args.string({ description: `The new status: ${STATUSES.join(', ')}` })
  declare status: string

  async run() {
    const status = this.status.trim().toLowerCase() as StoredLicenseStatus
    if (!STATUSES.includes(status)) {
      this.logger.error(`Status must be one of ${STATUSES.join(', ')}, not "${this.status}"`)
      this.exitCode = 1
      return
    }
    const licenses = await this.app.container.make(LicenseService)
    try {
      const result = await licenses.setStatus(this.key, status, cliActor())
      if (!result.changed) {
        this.logger.info(`The license is already ${status}`)
        return
      }
      this.logger.success(
        `The license is now ${status}` +
          (result.sessionsEnded ? `; ${result.sessionsEnded} live session(s) ended` : '')
      )
    } catch (error) {
      if (error instanceof ApiError && error.apiCode === 'LICENSE_NOT_FOUND') {
        this.logger.error(`No license has the key "${this.key}"`)
        this.exitCode = 1
        return
      }
      throw error
    }
  }
}
