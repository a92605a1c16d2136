import app from '@adonisjs/core/services/app'
import { DiskSpaceCheck, HealthChecks, MemoryHeapCheck } from '@adonisjs/core/health'
import type { HealthCheckContract, HealthCheckReport } from '@adonisjs/core/types/health'
import { DbCheck } from '@adonisjs/lucid/database'
import db from '@adonisjs/lucid/services/db'
import { RedisCheck } from '@adonisjs/redis'
import redis from '@adonisjs/redis/services/main'
import { Clock } from '#support/clock'
import { diskOf } from '#support/disk'
import type { HealthConfig } from '#config/health'
import { BackupCheck } from '#services/readiness/backup_check'
import { BoundedCheck } from '#services/readiness/bounded_check'
import { JobWorkerCheck } from '#services/readiness/job_worker_check'
import { MigrationsCheck } from '#services/readiness/migrations_check'

/** One check's outcome, as an operator sees it. */
export interface ReadinessCheck {
  name: string
  status: 'ok' | 'warning' | 'error'
  message: string
  meta: Record<string, unknown>
  cached: boolean
}

export interface ReadinessReport {
  /** False when any check failed (warnings allowed). */
  ready: boolean
  finishedAt: Date
  checks: ReadinessCheck[]
}

/**
 * Is this process fit to take traffic? The framework's health checks
 * (database, Redis, disk, heap) and the installation's own (migrations,
 * backups, job worker), each bounded in time (`checkTimeoutMs`) and the
 * slower ones cached briefly. One runner per process: the cache lives in it.
 */
export class Readiness {
  #checks: HealthChecks | null = null
  #last: { report: ReadinessReport; at: number } | null = null

  constructor(protected config: () => HealthConfig) {}

  async run(): Promise<ReadinessReport> {
    const report = toReport(await this.#runner().run())
    this.#last = { report, at: Date.now() }
    return report
  }

  /** A report no older than `maxAgeMs`, for the metrics' `keyward_ready` gauge. */
  async recent(maxAgeMs = this.config().gaugeCacheMs) {
    if (this.#last && Date.now() - this.#last.at < maxAgeMs) return this.#last.report
    return this.run()
  }

  /** Drops the cached results and re-reads the settings (after a configuration change). */
  forget() {
    this.#checks = null
    this.#last = null
  }

  #runner() {
    this.#checks ??= new HealthChecks().register(this.#build())
    return this.#checks
  }

  #build(): HealthCheckContract[] {
    const config = this.config()
    const now = async () => {
      const clock = await app.container.make(Clock)
      return clock.now()
    }
    const diskFail = config.diskMaxUsedPercent
    const diskWarn = Math.max(0, diskFail - config.diskWarnMarginPercent)
    const disk = (name: string, path: string) => {
      const check = new DiskSpaceCheck()
        .as(name)
        .warnWhenExceeds(diskWarn)
        .failWhenExceeds(diskFail)
        .compute(() => diskOf(path))
        .cacheFor(config.cacheSeconds.disk)
      check.diskPath = path
      return check
    }
    const checks: HealthCheckContract[] = [
      new DbCheck(db.connection()).as('database'),
      new RedisCheck(redis.connection()).as('redis'),
      new MigrationsCheck(db, app).cacheFor(config.cacheSeconds.migrations),
      new BackupCheck({ maxAgeMs: config.maxBackupAgeMs, now }).cacheFor(
        config.cacheSeconds.backup
      ),
      new JobWorkerCheck({ maxSilenceMs: config.maxWorkerSilenceMs, now }).cacheFor(
        config.cacheSeconds.jobWorker
      ),
      disk('disk', config.storageDir),
      disk('backup_disk', app.config.get<string>('backups.dir')),
      new MemoryHeapCheck()
        .as('heap')
        .warnWhenExceeds(Math.floor(config.heapMaxBytes * 0.8))
        .failWhenExceeds(config.heapMaxBytes),
    ]
    return checks.map((check) => new BoundedCheck(check, config.checkTimeoutMs))
  }
}

function toReport(report: HealthCheckReport): ReadinessReport {
  return {
    ready: report.isHealthy,
    finishedAt: report.finishedAt,
    checks: report.checks.map((check) => ({
      name: check.name,
      status: check.status,
      message: check.message,
      meta: plainMeta(check.meta),
      cached: check.isCached,
    })),
  }
}

/** Meta as JSON can carry it: an Error becomes its message (never a stack). */
function plainMeta(meta: Record<string, unknown> | undefined) {
  const plain: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(meta ?? {})) {
    plain[key] = value instanceof Error ? value.message || value.name : value
  }
  return plain
}

/** The process' readiness runner. */
const readiness = new Readiness(() => app.config.get<HealthConfig>('health'))
export default readiness
