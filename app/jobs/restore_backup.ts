import type { JobHandler } from '#plugin_host/define_plugin'
import { BackupService } from '#services/backups/backup_service'

/**
 * `backups:restore` (manual: no schedule): restores the archive `name` the
 * panel asked for, as the admin `actorId`.
 */
const restoreBackupJob: JobHandler = async ({ app, data }) => {
  const { name, actorId } = (data ?? {}) as { name?: unknown; actorId?: unknown }
  if (typeof name !== 'string') {
    throw new Error('backups:restore needs the archive to restore: { name }')
  }
  const backups = await app.container.make(BackupService)
  const actor =
    typeof actorId === 'number'
      ? { type: 'admin' as const, id: actorId }
      : { type: 'system' as const, label: 'backups:restore' }
  return backups.restore(name, { actor })
}

export default restoreBackupJob
