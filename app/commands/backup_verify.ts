import { args, BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { DomainError } from '#exceptions/domain_error'
import { BackupService } from '#services/backups/backup_service'
import { cliActor } from '#support/actor'

export default class BackupVerify extends BaseCommand {
  static commandName = 'backup:verify'
  static description =
    'Check a backup: its checksums, then a trial restore into a scratch database (dropped after)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Archive name, as backup:list shows it' })
  declare name: string

  async run() {
    const backups = await this.app.container.make(BackupService)
    try {
      const result = await backups.verify(this.name, { actor: cliActor() })
      if (result.ok) {
        this.logger.success(
          `${this.name} is sound: checksums match and it restored into a scratch database (${result.tables} tables), dropped again`
        )
      } else {
        this.logger.error(`${this.name} failed verification: ${result.error}`)
        this.exitCode = 1
      }
    } catch (error) {
      if (!DomainError.is(error)) throw error
      this.logger.error(error.message)
      this.exitCode = 1
    }
  }
}
