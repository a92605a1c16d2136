import type { JobHandler } from '#plugin_host/define_plugin'
import { BackupService } from '#services/backups/backup_service'

/**
 * `backups:create`: on its schedule (BACKUP_SCHEDULE in BACKUP_TIMEZONE) a
 * new backup; with data `{ backupId }` the row the panel queued.
 */
const createBackupJob: JobHandler = async ({ app, data }) => {
  const backups = await app.container.make(BackupService)
  const backupId = (data as { backupId?: unknown } | undefined)?.backupId
  const row =
    typeof backupId === 'number'
      ? await backups.create({ trigger: 'panel', backupId })
      : await backups.create({ trigger: 'schedule' })
  // What the worker logs and keeps as the job's last run (jobs:last_runs).
  return {
    backup: row.name,
    sizeBytes: row.sizeBytes,
    verified: row.verifiedAt !== null,
    uploaded: row.uploadedAt !== null,
    uploadError: row.uploadError,
  }
}

export default createBackupJob
