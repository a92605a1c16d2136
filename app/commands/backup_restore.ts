import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { DomainError } from '#exceptions/domain_error'
import { BackupService, type RestoreResult } from '#services/backups/backup_service'
import { cliActor } from '#support/actor'

export default class BackupRestore extends BaseCommand {
  static commandName = 'backup:restore'
  static description =
    'Replace the database, lease keyring and config/plugins.ts with a backup’s (asks first)'
  static help = [
    'The archive is checked first (checksums, encryption tag, format, schema version); a bad',
    'one is refused and nothing changes. The database is replaced in one transaction, then',
    'pending migrations run. The history of backups is kept. Restart every process afterwards.',
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Archive name, as backup:list shows it' })
  declare name: string

  @flags.boolean({ description: 'Do not ask for confirmation (for scripts)' })
  declare force?: boolean

  async run() {
    const backups = await this.app.container.make(BackupService)
    try {
      backups.archivePath(this.name)
    } catch (error) {
      if (!DomainError.is(error)) throw error
      this.logger.error(error.message)
      this.exitCode = 1
      return
    }

    if (!this.force) {
      // A prompt nobody can answer would hang a script or a CI job.
      if (!process.stdin.isTTY) {
        this.logger.error(
          'Refusing to restore without confirmation: run this in a terminal, or pass --force'
        )
        this.exitCode = 1
        return
      }
      this.logger.warning(
        `This replaces ALL data of this installation with the state in ${this.name}.`
      )
      const typed = await this.prompt.ask(`Type the archive name (${this.name}) to restore it`)
      if (typed.trim() !== this.name) {
        this.logger.info('Nothing restored')
        return
      }
    }

    try {
      const result = await backups.restore(this.name, { actor: cliActor() })
      this.report(result)
    } catch (error) {
      if (!DomainError.is(error)) {
        this.logger.error(`Restore failed: ${(error as Error).message}`)
        this.exitCode = 1
        return
      }
      this.logger.error(`Restore refused: ${error.message}. Nothing was changed.`)
      this.exitCode = 1
    }
  }

  protected report(result: RestoreResult) {
    this.logger.success(`Restored ${result.name}`)
    this.logger.log(
      `  migrations run after the restore: ${result.migrationsRun.length > 0 ? result.migrationsRun.join(', ') : 'none'}`
    )
    this.logger.log(`  backup history kept: ${result.backupRowsCarried} row(s)`)
    const keyring = {
      'written': 'written from the archive (the previous one kept as .before-restore)',
      'unchanged': 'unchanged (the archive holds the same keys)',
      'env-unchanged': 'LEASE_KEYRING is set and holds the archive’s keys: nothing written',
      'env-differs': `LEASE_KEYRING is set, so nothing was written; it differs from the archive’s keyring (keys ${result.keyringKids.join(', ')}): run keys:export on a restored file keyring, or set LEASE_KEYRING to the archived one`,
    }[result.keyring]
    this.logger.log(`  lease keyring: ${keyring}`)
    this.logger.log(
      result.pluginsConfig === 'restored'
        ? `  config/plugins.ts: restored (the previous one is ${result.pluginsConfigBackup ?? 'gone: there was none'})`
        : '  config/plugins.ts: unchanged'
    )
    this.logger.info('Restart the web processes and job workers so they read the restored state')
  }
}
