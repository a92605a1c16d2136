import { BackupSchema } from '#database/schema'
import { column, scope } from '@adonisjs/lucid/orm'

export type BackupStatus = 'queued' | 'running' | 'succeeded' | 'failed'
export type BackupTrigger = 'schedule' | 'panel' | 'cli'

/**
 * One backup attempt (`backups`). The archive is the file `name` in
 * BACKUP_DIR; this row is its history, shared by every process.
 */
export default class Backup extends BackupSchema {
  declare status: BackupStatus
  declare trigger: BackupTrigger

  /** The column is `sha256`: the naming strategy alone would look for `sha_256`. */
  @column({ columnName: 'sha256' })
  declare sha256: string | null

  /** Attempts that wrote an archive still on disk (not pruned). */
  static kept = scope((query) => {
    query.where('status', 'succeeded').whereNull('pruned_at').whereNotNull('name')
  })

  /** The newest successful backup, pruned or not: what "last backup age" is measured from. */
  static latestSucceeded() {
    return Backup.query().where('status', 'succeeded').orderBy('finished_at', 'desc').first()
  }

  /** The newest attempt that ended, well or not: "did the last backup fail?". */
  static latestFinished() {
    return Backup.query()
      .whereIn('status', ['succeeded', 'failed'])
      .orderBy('finished_at', 'desc')
      .first()
  }
}
