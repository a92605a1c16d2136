import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { DomainError } from '#exceptions/domain_error'
import { BackupService } from '#services/backups/backup_service'

export default class BackupPrune extends BaseCommand {
  static commandName = 'backup:prune'
  static description =
    'Delete the archives retention does not keep (BACKUP_KEEP_DAILY days, BACKUP_KEEP_WEEKLY weeks)'
  static help = [
    'Keeps the newest archive of each of the last BACKUP_KEEP_DAILY days and of each of the',
    'last BACKUP_KEEP_WEEKLY ISO weeks that have one, the newest archive, and the newest',
    'verified archive. Runs by itself after every successful backup:create.',
  ]
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Only show what would be deleted' })
  declare dryRun?: boolean

  async run() {
    const backups = await this.app.container.make(BackupService)
    try {
      const result = await backups.prune({ dryRun: this.dryRun ?? false })
      for (const kept of result.keep) {
        this.logger.log(`keep    ${kept.name} (${kept.reasons.join(', ')})`)
      }
      for (const name of result.prune) {
        this.logger.log(`${result.dryRun ? 'would delete' : 'deleted'} ${name}`)
      }
      if (result.prune.length === 0) this.logger.info('Nothing to delete')
      else if (result.dryRun) this.logger.info('Dry run: nothing was deleted')
      else this.logger.success(`Deleted ${result.prune.length} archive(s)`)
    } catch (error) {
      if (!DomainError.is(error)) throw error
      this.logger.error(error.message)
      this.exitCode = 1
    }
  }
}
