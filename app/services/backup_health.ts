import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import type { DateTime } from 'luxon'
import type { HealthConfig } from '#config/health'
import Backup from '#models/backup'
import WorkerPresence from '#services/worker_presence'
import { Clock } from '#support/clock'

/**
 * Why the backups need an owner's attention, or nothing: no backup was
 * ever made (`none`), the newest attempt that ended failed (`failed`), or
 * the newest successful one is older than HEALTH_MAX_BACKUP_AGE (`stale`).
 */
export type BackupWarning =
  | { kind: 'none' }
  | { kind: 'failed'; failedAt: DateTime | null; error: string | null }
  | { kind: 'stale'; lastSuccessAt: DateTime; maxAgeHours: number }

/**
 * How the backups stand, judged with the injected clock: the dashboard's
 * warning, and whether a job worker is around to run what the panel queues.
 * The same rules as the readiness probe's backup check (a failure of the
 * newest attempt counts even when an older success is still fresh).
 */
@inject()
export default class BackupHealth {
  constructor(
    protected clock: Clock,
    protected presence: WorkerPresence
  ) {}

  protected get config() {
    return app.config.get<HealthConfig>('health')
  }

  /** The warning the dashboard shows, or null while the backups are fine. */
  async warning(): Promise<BackupWarning | null> {
    const [latest, succeeded] = await Promise.all([
      Backup.latestFinished(),
      Backup.latestSucceeded(),
    ])
    if (latest?.status === 'failed') {
      return { kind: 'failed', failedAt: latest.finishedAt, error: latest.error }
    }
    const lastSuccessAt = succeeded?.finishedAt
    if (!lastSuccessAt) return { kind: 'none' }
    const maxAgeMs = this.config.maxBackupAgeMs
    if (this.clock.now().diff(lastSuccessAt).as('milliseconds') > maxAgeMs) {
      return { kind: 'stale', lastSuccessAt, maxAgeHours: Math.round(maxAgeMs / 360_000) / 10 }
    }
    return null
  }

  /**
   * When a job worker was last alive, and whether that is too long ago
   * (HEALTH_MAX_WORKER_SILENCE) for a queued job to be picked up soon.
   */
  async worker(): Promise<{ lastSeen: Date | null; absent: boolean }> {
    const now = this.clock.now().toMillis()
    const lastSeen = await this.presence.lastSeen(now)
    const absent = lastSeen === null || now - lastSeen.getTime() > this.config.maxWorkerSilenceMs
    return { lastSeen, absent }
  }
}
