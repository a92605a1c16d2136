import { hostname } from 'node:os'
import { setTimeout as sleep } from 'node:timers/promises'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import i18nManager from '@adonisjs/i18n/services/main'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import type { Logger } from '@adonisjs/core/logger'
import type { ScheduledJob } from '#plugin_host/plugin_host'
import JobScheduler, {
  describeSchedule,
  JobCatalog,
  type JobRunReport,
} from '#services/job_scheduler'
import type { MetricsConfig } from '#config/metrics'
import JobMetrics from '#services/metrics/job_metrics'
import { listenForMetrics } from '#services/metrics/metrics_listener'
import WorkerPresence from '#services/worker_presence'
import { operatorAccess } from '#support/operator_access'

/** Connection errors repeat on every reconnect attempt; say each one this often at most. */
const REPEAT_ERROR_AFTER_MS = 60_000
const SCHEDULE_RETRY_MS = 5_000

export default class JobsWork extends BaseCommand {
  static commandName = 'jobs:work'
  static description =
    'Run the job worker: schedules the core and enabled plugins’ jobs in Redis and runs them'
  static options: CommandOptions = { startApp: true, staysAlive: true }

  @flags.number({ description: 'Jobs run at the same time by this worker', default: 4 })
  declare concurrency: number

  #stopping = false
  #scheduling = false
  #lastErrors = new Map<string, number>()

  async run() {
    const appLogger = await this.app.container.make('logger')
    const logger = appLogger.child({ component: 'jobs' })
    const catalog = await this.app.container.make(JobCatalog)
    const jobs = catalog.all()

    const scheduler = JobScheduler.fromConfig(this.app, {
      onError: (error) => this.reportConnectionError(logger, error),
    })

    const metricsConfig = this.app.config.get<MetricsConfig>('metrics')
    const presence = new WorkerPresence()
    const jobMetrics =
      metricsConfig.enabled && metricsConfig.jobsPort !== null ? new JobMetrics() : null
    const listener = jobMetrics
      ? await this.listenForMetrics(jobMetrics, metricsConfig, logger)
      : null
    const beats = this.beatEvery(presence, metricsConfig.workerBeatMs, logger)

    this.app.terminating(async () => {
      this.#stopping = true
      clearInterval(beats)
      logger.info('job worker stopping: waiting for running jobs')
      await scheduler.close()
      await listener?.close()
      logger.info('job worker stopped')
    })
    // bin/console.ts handles SIGTERM; Ctrl-C deserves the same clean stop.
    this.app.listenIf(!this.app.managedByPm2, 'SIGINT', () => this.app.terminate())

    scheduler.work(jobs, {
      concurrency: this.concurrency,
      onRun: (report) => {
        this.logRun(logger, report)
        jobMetrics?.record(report)
        presence.recordRun(report).catch((error) => {
          logger.debug({ err: error, job: report.name }, 'job run not recorded (Redis away)')
        })
      },
    })
    logger.info({ queue: scheduler.queueName, concurrency: this.concurrency }, 'job worker started')

    // Not awaited: with Redis away this waits for it while the worker is already up.
    const writeSchedules = () => void this.scheduleUntilDone(logger, scheduler, jobs)
    scheduler.onConnected(writeSchedules)
    writeSchedules()
  }

  /**
   * Writes the schedules to Redis, at start and after each reconnection.
   * Commands wait for Redis to come back, so a retry is only needed when a
   * call fails outright.
   */
  protected async scheduleUntilDone(logger: Logger, scheduler: JobScheduler, jobs: ScheduledJob[]) {
    if (this.#scheduling) return
    this.#scheduling = true
    try {
      while (!this.#stopping) {
        try {
          const { removed } = await scheduler.schedule(jobs)
          const schedules = jobs.map((job) => ({
            job: job.name,
            plugin: job.plugin ?? 'core',
            schedule: describeSchedule(job),
          }))
          logger.info({ schedules, removed }, 'job schedules written')
          return
        } catch (error) {
          if (this.#stopping) return
          logger.error({ err: error }, 'could not write the job schedules; retrying')
          // Unref'd: a pending retry must not hold the process open at shutdown.
          await sleep(SCHEDULE_RETRY_MS, undefined, { ref: false })
        }
      }
    } finally {
      this.#scheduling = false
    }
  }

  /**
   * Says every `intervalMs` that this worker is alive (WorkerPresence, read
   * by readiness, metrics and the monitoring page), the first time at once.
   * While Redis is away a beat is simply missed.
   */
  protected beatEvery(presence: WorkerPresence, intervalMs: number, logger: Logger) {
    const workerId = `${hostname()}:${process.pid}`
    const beat = () => {
      presence.beat(workerId).catch((error) => {
        logger.debug({ err: error }, 'worker beat missed (Redis away)')
      })
    }
    beat()
    return setInterval(beat, intervalMs)
  }

  /** The worker's own /metrics on JOBS_METRICS_PORT, when set. */
  protected async listenForMetrics(jobMetrics: JobMetrics, config: MetricsConfig, logger: Logger) {
    if (config.jobsPort === null) return null
    const i18n = i18nManager.locale(i18nManager.defaultLocale)
    const listener = await listenForMetrics(jobMetrics.registry, {
      port: config.jobsPort,
      host: config.jobsHost,
      access: operatorAccess(),
      trustProxy: this.app.config.get('app.http.trustProxy'),
      messages: { unauthorized: i18n.t('api.UNAUTHORIZED'), notFound: i18n.t('api.NOT_FOUND') },
    })
    logger.info({ host: config.jobsHost, port: listener.port }, 'job metrics listening on /metrics')
    return listener
  }

  protected logRun(logger: Logger, report: JobRunReport) {
    const fields = { job: report.name, durationMs: report.durationMs }
    if (report.error !== undefined) {
      logger.error({ ...fields, err: report.error }, 'job failed')
    } else if (report.result === null) {
      // The sweeper runs every few seconds and mostly finds nothing.
      logger.debug({ ...fields, result: report.result }, 'job done, nothing to do')
    } else {
      logger.info({ ...fields, result: report.result }, 'job done')
    }
  }

  protected reportConnectionError(logger: Logger, error: Error) {
    const now = Date.now()
    const lastSaid = this.#lastErrors.get(error.message)
    if (lastSaid !== undefined && now - lastSaid < REPEAT_ERROR_AFTER_MS) return
    this.#lastErrors.set(error.message, now)
    logger.warn({ err: error }, 'job queue: Redis connection problem, reconnecting')
  }
}
