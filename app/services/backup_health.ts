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
 * The one rule of how the backups stand, for the dashboard, the readiness
 * check and the monitoring page: the newest attempt that ended failed (even
 * when an older success is still fresh), or there is no success, or the
 * newest success is older than `maxAgeMs`; null while all is well.
 */
export function backupWarningOf(
  latest: Backup | null,
  succeeded: Backup | null,
  now: DateTime,
  maxAgeMs: number
): BackupWarning | null {
  if (latest?.status === 'failed') {
    return { kind: 'failed', failedAt: latest.finishedAt, error: latest.error }
  }
  const lastSuccessAt = succeeded?.finishedAt
  if (!lastSuccessAt) return { kind: 'none' }
  if (now.diff(lastSuccessAt).as('milliseconds') > maxAgeMs) {
    return { kind: 'stale', lastSuccessAt, maxAgeHours: Math.round(maxAgeMs / 360_000) / 10 }
  }
  return null
}

/** Whether no job worker was seen (null), or none for longer than `maxSilenceMs`. */
export function workerSilent(lastSeen: Date | null, nowMs: number, maxSilenceMs: number) {
  return lastSeen === null || nowMs - lastSeen.getTime() > maxSilenceMs
}

/**
 * How the backups stand, judged with the injected clock: the dashboard's
 * warning, and whether a job worker is around to run what the panel queues.
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
    return backupWarningOf(latest, succeeded, this.clock.now(), this.config.maxBackupAgeMs)
  }

  /**
   * When a job worker was last alive, and whether that is too long ago
   * (HEALTH_MAX_WORKER_SILENCE) for a queued job to be picked up soon.
   */
  async worker(): Promise<{ lastSeen: Date | null; absent: boolean }> {
    const now = this.clock.now().toMillis()
    const lastSeen = await this.presence.lastSeen(now)
    return { lastSeen, absent: workerSilent(lastSeen, now, this.config.maxWorkerSilenceMs) }
  }
}
