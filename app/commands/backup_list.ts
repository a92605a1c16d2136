import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { BackupService } from '#services/backups/backup_service'
import { formatAge } from '#services/backups/backup_report'
import { formatBytes } from '#support/formatting'
import { Clock } from '#support/clock'

export default class BackupList extends BaseCommand {
  static commandName = 'backup:list'
  static description = 'List the backup archives in BACKUP_DIR, newest first'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Print JSON instead of a table' })
  declare json?: boolean

  async run() {
    const backups = await this.app.container.make(BackupService)
    const clock = await this.app.container.make(Clock)
    const now = clock.now()
    const entries = await backups.list()
    if (this.json) {
      this.logger.log(
        JSON.stringify(
          entries.map((entry) => ({
            name: entry.name,
            size_bytes: entry.sizeBytes,
            created_at: entry.createdAt.toISO(),
            encrypted: entry.encrypted,
            verified_at: entry.verifiedAt?.toISO() ?? null,
            status: entry.status,
          }))
        )
      )
      return
    }
    if (entries.length === 0) {
      this.logger.info(`There are no backups in ${backups.dir} (backup:create writes one)`)
      return
    }
    const table = this.ui.table()
    table.head(['Name', 'Size', 'Age', 'Encrypted', 'Verified', 'Status'])
    for (const entry of entries) {
      const verified = entry.verifiedAt
        ? `${formatAge(entry.verifiedAt, now)} ago`
        : entry.row?.verifyError
          ? 'FAILED'
          : 'no'
      table.row([
        entry.name,
        formatBytes(entry.sizeBytes),
        formatAge(entry.createdAt, now),
        entry.encrypted ? 'yes' : 'no',
        verified,
        entry.row?.uploadError ? `${entry.status} (upload failed)` : entry.status,
      ])
    }
    table.render()
  }
}
