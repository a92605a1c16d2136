import { BaseCheck, Result } from '@adonisjs/core/health'
import type { HealthCheckResult } from '@adonisjs/core/types/health'
import type { DateTime } from 'luxon'
import Backup from '#models/backup'
import { backupWarningOf } from '#services/backup_health'

/**
 * Is there a recent, good backup? Warns when the newest attempt that ended
 * failed, when the newest successful one is older than `maxAgeMs`, or when
 * there is none. It never fails readiness: a missed backup must not take the
 * license API out of a load balancer (docs/decisions/0015-readiness-scope.md);
 * the BackupTooOld and BackupFailed alerts and the dashboard say it instead.
 */
export class BackupCheck extends BaseCheck {
  name = 'backup'

  constructor(protected options: { maxAgeMs: number; now: () => Promise<DateTime> }) {
    super()
  }

  async run(): Promise<HealthCheckResult> {
    const [latest, succeeded, now] = await Promise.all([
      Backup.latestFinished(),
      Backup.latestSucceeded(),
      this.options.now(),
    ])
    const maxAgeSeconds = Math.round(this.options.maxAgeMs / 1000)
    const warning = backupWarningOf(latest, succeeded, now, this.options.maxAgeMs)
    if (warning?.kind === 'none') {
      return Result.warning('no backup has been made yet').mergeMetaData({ maxAgeSeconds }).toJSON()
    }
    const lastSuccessAt = succeeded?.finishedAt ?? null
    const meta = {
      maxAgeSeconds,
      lastSuccessAt: lastSuccessAt?.toISO() ?? null,
      ageSeconds: lastSuccessAt ? Math.round(now.diff(lastSuccessAt).as('seconds')) : null,
      sizeBytes: succeeded?.sizeBytes ?? null,
    }
    if (warning?.kind === 'failed') {
      const reason = warning.error ? `: ${warning.error}` : ''
      return Result.warning(`the last backup failed (${warning.failedAt?.toISO()})${reason}`)
        .mergeMetaData({ ...meta, failedAt: warning.failedAt?.toISO() ?? null })
        .toJSON()
    }
    if (warning?.kind === 'stale') {
      return Result.warning(
        `the last successful backup is older than ${formatDuration(this.options.maxAgeMs)}`
      )
        .mergeMetaData(meta)
        .toJSON()
    }
    return Result.ok('the last backup succeeded recently').mergeMetaData(meta).toJSON()
  }
}

export function formatDuration(milliseconds: number) {
  const minutes = Math.round(milliseconds / 60_000)
  if (minutes < 1) return `${Math.round(milliseconds / 1000)} s`
  if (minutes % 60 !== 0 || minutes < 60) return `${minutes} min`
  return `${minutes / 60} h`
}
