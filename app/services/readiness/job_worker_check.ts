import { BaseCheck, Result } from '@adonisjs/core/health'
import type { HealthCheckResult } from '@adonisjs/core/types/health'
import type { DateTime } from 'luxon'
import { workerSilent } from '#services/backup_health'
import WorkerPresence from '#services/worker_presence'
import { formatDuration } from '#services/readiness/backup_check'

/**
 * Is a job worker (`jobs:work`) alive? It beats into Redis every few
 * seconds; the check warns when none has for `maxSilenceMs`, or none was
 * ever seen. It never fails readiness: web processes serve the API without
 * a worker (docs/decisions/0015-readiness-scope.md); the JobWorkerSilent
 * alert says it instead.
 */
export class JobWorkerCheck extends BaseCheck {
  name = 'job_worker'

  constructor(
    protected options: {
      maxSilenceMs: number
      now: () => Promise<DateTime>
      presence?: WorkerPresence
    }
  ) {
    super()
  }

  async run(): Promise<HealthCheckResult> {
    const now = await this.options.now()
    const presence = this.options.presence ?? new WorkerPresence()
    const lastSeen = await presence.lastSeen(now.toMillis())
    const maxSilenceSeconds = Math.round(this.options.maxSilenceMs / 1000)
    if (!lastSeen) {
      return Result.warning('no job worker has been seen (is `jobs:work` running?)')
        .mergeMetaData({ maxSilenceSeconds, lastSeenAt: null })
        .toJSON()
    }
    const silentMs = now.toMillis() - lastSeen.getTime()
    const meta = {
      maxSilenceSeconds,
      lastSeenAt: lastSeen.toISOString(),
      silentSeconds: Math.max(0, Math.round(silentMs / 1000)),
    }
    if (workerSilent(lastSeen, now.toMillis(), this.options.maxSilenceMs)) {
      return Result.warning(
        `no job worker has been seen for more than ${formatDuration(this.options.maxSilenceMs)}`
      )
        .mergeMetaData(meta)
        .toJSON()
    }
    return Result.ok('a job worker is alive').mergeMetaData(meta).toJSON()
  }
}
