import { BaseCommand } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { BackupService } from '#services/backups/backup_service'
import { describeBackup } from '#services/backups/backup_report'

export default class BackupCreate extends BaseCommand {
  static commandName = 'backup:create'
  static description =
    'Write one backup archive (database, lease keyring, config/plugins.ts) to BACKUP_DIR'
  static help = [
    'Encrypted with BACKUP_KEY (or a key derived from APP_KEY) unless BACKUP_ENCRYPTION=off.',
    'Then, per the settings: a trial restore (BACKUP_VERIFY), the upload command',
    '(BACKUP_UPLOAD_COMMAND) and pruning (BACKUP_KEEP_DAILY, BACKUP_KEEP_WEEKLY).',
  ]
  static options: CommandOptions = { startApp: true }

  async run() {
    const backups = await this.app.container.make(BackupService)
    try {
      const row = await backups.create({
        trigger: 'cli',
        onProgress: (phase, percent) =>
          this.logger.info(`${String(percent).padStart(3)}% ${phase}`),
      })
      this.logger.success(`Backup written: ${backups.archivePath(row.name!)}`)
      for (const line of describeBackup(row)) this.logger.log(line)
      if (row.uploadError) {
        this.logger.warning(`The upload failed (the backup itself is fine): ${row.uploadError}`)
      }
    } catch (error) {
      this.logger.error(`Backup failed: ${(error as Error).message}`)
      this.exitCode = 1
    }
  }
}
