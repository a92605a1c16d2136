import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { announce, BackupHealth, Clock } from '#plugin_host/api'

/**
 * Watches the backups and the job worker: `backup:overdue` when no backup
 * succeeded within HEALTH_MAX_BACKUP_AGE, `worker:silent` when no worker
 * beat within HEALTH_MAX_WORKER_SILENCE. Each is announced once when it
 * begins (a row in notifications_conditions, shared by all processes) and
 * again only after it has ended and begun anew. The web processes run it
 * too, since a silent worker cannot report its own silence.
 */
@inject()
export class HealthWatch {
  constructor(
    protected health: BackupHealth,
    protected clock: Clock
  ) {}

  async check() {
    const warning = await this.health.warning()
    const overdue = warning?.kind === 'stale' || warning?.kind === 'none'
    const backupRaised = await this.condition('backup_overdue', overdue)
    if (backupRaised) {
      announce('backup:overdue', {
        lastSuccessAt: warning?.kind === 'stale' ? warning.lastSuccessAt.toISO() : null,
        maxAgeHours:
          warning?.kind === 'stale'
            ? warning.maxAgeHours
            : Math.round(app.config.get<number>('health.maxBackupAgeMs') / 360_000) / 10,
      })
    }
    const worker = await this.health.worker()
    const workerRaised = await this.condition('worker_silent', worker.absent)
    if (workerRaised) {
      announce('worker:silent', { lastBeatAt: worker.lastSeen?.toISOString() ?? null })
    }
    return { backupOverdue: overdue, workerSilent: worker.absent, backupRaised, workerRaised }
  }

  /** Records whether a condition holds; true when it has just begun. */
  protected async condition(name: string, holds: boolean) {
    if (!holds) {
      await db.from('notifications_conditions').where('name', name).delete()
      return false
    }
    const inserted = await db.rawQuery(
      `INSERT INTO notifications_conditions (name, raised_at) VALUES (?, ?)
       ON CONFLICT DO NOTHING RETURNING name`,
      [name, this.clock.now().toJSDate()]
    )
    return inserted.rows.length > 0
  }
}
