import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import { DateTime } from 'luxon'
import type { HealthConfig } from '#config/health'
import type monitoringConfig from '#config/monitoring'
import Backup from '#models/backup'
import { whereSessionLive } from '#rules/session_live'
import { backupWarningOf, workerSilent } from '#services/backup_health'
import ServiceHealth from '#services/service_health'
import WorkerPresence from '#services/worker_presence'
import { Clock } from '#support/clock'
import type { Dependency } from '#support/unavailable'
import QueueDepth, { type QueueState } from '#services/queue_depth'

/** up: fine; warning: works but needs a look; down: broken; unknown: could not be found out. */
export type Status = 'up' | 'warning' | 'down' | 'unknown'

export interface DependencyFigure {
  status: Status
  /** How long the probe took, in ms (null when it failed). */
  latencyMs: number | null
  /** Since when the process has known it to be down (ISO), if it is. */
  downSince: string | null
}

export interface JobFigures {
  /** up: a worker beat recently; down: silent for too long; warning: never seen. */
  status: Status
  workerLastSeen: string | null
  queue: Record<QueueState, number> | null
  lastRuns: {
    job: string
    at: string
    outcome: 'succeeded' | 'failed'
    durationMs: number
    error: string | null
    lastSuccessAt: string | null
  }[]
}

export interface BackupFigures {
  /** up: recent and the last attempt succeeded; down: last attempt failed or too old; warning: none yet. */
  status: Status
  lastSuccessAt: string | null
  lastSizeBytes: number | null
  lastRunFailed: boolean
  lastError: string | null
}

export interface PointInTimeFigures {
  at: string
  sessionsLive: number | null
  database: DependencyFigure
  redis: DependencyFigure
  jobs: JobFigures
  backup: BackupFigures
}

class ProbeTimeout extends Error {}

/** Runs `work`, or gives up after `ms` (the work itself is not cancelled). */
async function within<T>(ms: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout(`no answer within ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work(), timeout])
  } finally {
    clearTimeout(timer)
  }
}

const iso = (date: Date | null | undefined) => (date ? date.toISOString() : null)

/**
 * The monitoring page's figures of the moment: live sessions, the database
 * and Redis, the job worker and queue, the last backup. Each is found out on
 * its own and bounded in time: one that cannot be found out says `unknown`
 * (or null) and the others still answer.
 */
@inject()
export default class MonitoringFigures {
  constructor(
    protected clock: Clock,
    protected health: ServiceHealth,
    protected presence: WorkerPresence,
    protected queueDepth: QueueDepth
  ) {}

  protected get config() {
    return app.config.get<typeof monitoringConfig>('monitoring')
  }

  /** The limits the readiness probe and the dashboard judge by (HEALTH_*). */
  protected get healthConfig() {
    return app.config.get<HealthConfig>('health')
  }

  async current(): Promise<PointInTimeFigures> {
    const now = this.clock.now()
    const [sessionsLive, database, redisFigure, jobs, backup] = await Promise.all([
      this.#sessionsLive(now.toJSDate()),
      this.#dependency('database', () => db.rawQuery('SELECT 1')),
      this.#dependency('redis', () => redis.ping()),
      this.#jobs(now.toMillis()),
      this.#backup(now.toMillis()),
    ])
    return { at: now.toUTC().toISO()!, sessionsLive, database, redis: redisFigure, jobs, backup }
  }

  /** Null while the database does not answer. */
  async #sessionsLive(now: Date) {
    if (this.health.isDown('database')) return null
    try {
      const row = await within(this.config.probeTimeoutMs, () =>
        whereSessionLive(db.from('license_sessions'), null, now).count('* as total').first()
      )
      return Number(row?.total ?? 0)
    } catch {
      return null
    }
  }

  /**
   * Down when ServiceHealth knows it is (from the client's connection
   * events) or when a cheap probe fails or is slow; up with the probe's time.
   */
  async #dependency(dependency: Dependency, probe: () => Promise<unknown>) {
    const downSince = iso(this.health.downSince(dependency))
    if (downSince) return { status: 'down' as const, latencyMs: null, downSince }
    const startedAt = performance.now()
    try {
      await within(this.config.probeTimeoutMs, probe)
      const latencyMs = Math.round((performance.now() - startedAt) * 10) / 10
      return { status: 'up' as const, latencyMs, downSince: null }
    } catch {
      return { status: 'down' as const, latencyMs: null, downSince: null }
    }
  }

  async #jobs(now: number): Promise<JobFigures> {
    if (this.health.isDown('redis')) {
      return { status: 'unknown', workerLastSeen: null, queue: null, lastRuns: [] }
    }
    const timeout = this.config.probeTimeoutMs
    const [lastSeen, lastRuns, queue] = await Promise.all([
      within(timeout, () => this.presence.lastSeen(now)).catch(() => undefined),
      within(timeout, () => this.presence.lastRuns()).catch(() => []),
      within(timeout, () => this.queueDepth.counts()).catch(() => null),
    ])
    let status: Status = 'unknown'
    if (lastSeen === null) status = 'warning'
    else if (lastSeen) {
      status = workerSilent(lastSeen, now, this.healthConfig.maxWorkerSilenceMs) ? 'down' : 'up'
    }
    return {
      status,
      workerLastSeen: iso(lastSeen),
      queue,
      lastRuns: lastRuns.map((run) => ({
        job: run.job,
        at: run.at.toISOString(),
        outcome: run.outcome,
        durationMs: run.durationMs,
        error: run.error,
        lastSuccessAt: iso(run.lastSuccessAt),
      })),
    }
  }

  async #backup(now: number): Promise<BackupFigures> {
    const unknown: BackupFigures = {
      status: 'unknown',
      lastSuccessAt: null,
      lastSizeBytes: null,
      lastRunFailed: false,
      lastError: null,
    }
    if (this.health.isDown('database')) return unknown
    try {
      const [succeeded, finished] = await within(this.config.probeTimeoutMs, () =>
        Promise.all([Backup.latestSucceeded(), Backup.latestFinished()])
      )
      const lastRunFailed = finished?.status === 'failed'
      const successAt = succeeded?.finishedAt?.toJSDate() ?? null
      const warning = backupWarningOf(
        finished,
        succeeded,
        DateTime.fromMillis(now, { zone: 'utc' }),
        this.healthConfig.maxBackupAgeMs
      )
      const status: Status = !warning ? 'up' : warning.kind === 'none' ? 'warning' : 'down'
      return {
        status,
        lastSuccessAt: iso(successAt),
        lastSizeBytes: succeeded?.sizeBytes ?? null,
        lastRunFailed,
        lastError: lastRunFailed ? (finished?.error ?? null) : null,
      }
    } catch {
      return unknown
    }
  }
}
