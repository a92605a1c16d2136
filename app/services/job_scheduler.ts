import { performance } from 'node:perf_hooks'
import { Queue, Worker, type Job, type RedisOptions, type RepeatOptions } from 'bullmq'
import { inject } from '@adonisjs/core'
import type { ApplicationService } from '@adonisjs/core/types'
import {
  loadDefault,
  type JobContext,
  type JobDefinition,
  type JobHandler,
} from '#plugin_host/define_plugin'
import PluginHost, { type ScheduledJob } from '#plugin_host/plugin_host'
import type redisConfig from '#config/redis'
import { coreJobs } from '#start/jobs'

const DURATION = /^([1-9][0-9]*)(ms|s|m|h|d)$/
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
}

/**
 * Milliseconds in a duration such as `500ms`, `5s`, `1m`, `1h` or `1d`
 * (how jobs declare `every`).
 */
export function durationToMs(text: string): number {
  const match = DURATION.exec(text.trim())
  if (!match) {
    throw new Error(`"${text}" is not a duration: use a whole number with ms, s, m, h or d`)
  }
  return Number(match[1]) * UNIT_MS[match[2]]
}

/** How BullMQ repeats a job: a fixed interval, or a cron pattern read in its time zone (UTC by default). */
export function repeatFor(job: JobDefinition): Omit<RepeatOptions, 'key'> {
  if (job.every) return { every: durationToMs(job.every) }
  if (job.cron) return { pattern: job.cron, tz: job.timezone ?? 'UTC' }
  throw new Error(`Job "${job.name}" needs every or cron`)
}

export function describeSchedule(job: JobDefinition) {
  if (job.manual) return 'on demand'
  return job.every ? `every ${job.every}` : `cron ${job.cron} (${job.timezone ?? 'UTC'})`
}

/**
 * Every job this process knows: the core's, then the enabled plugins'.
 * Names are the schedulers' ids in Redis, so two jobs may not share one.
 */
@inject()
export class JobCatalog {
  constructor(protected host: PluginHost) {}

  /** The jobs; throws when two share a name. */
  all(): ScheduledJob[] {
    const jobs: ScheduledJob[] = [
      ...coreJobs.map((job) => ({ ...job, plugin: null })),
      ...this.host.jobs(),
    ]
    const seen = new Map<string, string>()
    for (const job of jobs) {
      const owner = job.plugin ?? 'core'
      const previous = seen.get(job.name)
      if (previous !== undefined) {
        throw new Error(`Job name "${job.name}" is used by both ${previous} and ${owner}`)
      }
      seen.set(job.name, owner)
    }
    return jobs
  }
}

const handlers = new WeakMap<JobDefinition, Promise<JobHandler>>()

/** Loads a job's handler on its first run only. */
function handlerOf(job: JobDefinition) {
  let handler = handlers.get(job)
  if (!handler) {
    handler = loadDefault(job.handler)
    handlers.set(job, handler)
  }
  return handler
}

export interface JobRunReport {
  name: string
  durationMs: number
  result?: unknown
  error?: unknown
}

/**
 * Runs one job's handler in this process and measures it. Shared by the
 * worker and `jobs:run`.
 */
export async function runJob(job: JobDefinition, context: JobContext): Promise<JobRunReport> {
  const startedAt = performance.now()
  const elapsed = () => Math.round((performance.now() - startedAt) * 10) / 10
  try {
    const handler = await handlerOf(job)
    const result = await handler(context)
    return { name: job.name, durationMs: elapsed(), result }
  } catch (error) {
    return { name: job.name, durationMs: elapsed(), error }
  }
}

export class UnknownJobError extends Error {
  constructor(readonly jobName: string) {
    super(`No job named "${jobName}" is known to this worker`)
  }
}

/** How long `close` gives a connection that is not up yet before judging Redis away. */
const REDIS_READY_WAIT_MS = 500

export interface JobSchedulerOptions {
  connection: RedisOptions
  /** BullMQ's key prefix: every key of the queue starts with it. */
  prefix: string
  queueName?: string
  /** Connection trouble of the queue or the worker; they reconnect on their own. */
  onError?: (error: Error) => void
}

/**
 * BullMQ options from `config/redis.ts`: same server, own connections.
 * BullMQ refuses ioredis' `keyPrefix`, so the install's prefix becomes
 * BullMQ's own (`keyward:` gives keys `keyward:bull:<queue>:…`). Commands
 * wait for Redis instead of failing (`maxRetriesPerRequest: null`), which
 * is what a worker that outlives a Redis restart needs.
 */
export function bullmqOptionsFrom(config: typeof redisConfig) {
  const { host, port, username, password, db, tls, keyPrefix } = config.connections.main
  return {
    connection: {
      host,
      port,
      username,
      password,
      db,
      tls,
      maxRetriesPerRequest: null,
      retryStrategy: (times: number) => Math.min(times * 100, 1000),
    } satisfies RedisOptions,
    prefix: [(keyPrefix ?? 'keyward:').replace(/:+$/, ''), 'bull'].filter(Boolean).join(':'),
  }
}

/**
 * The job system on one BullMQ queue: `schedule` makes Redis hold exactly
 * the given repeat schedules, `work` runs the jobs they produce. Schedules
 * live in Redis, so any number of workers share them and each run happens
 * once, on one worker.
 */
export default class JobScheduler {
  readonly queueName: string
  readonly queue: Queue
  #worker?: Worker
  #running = new Set<Promise<JobRunReport>>()

  constructor(
    protected app: ApplicationService,
    protected options: JobSchedulerOptions
  ) {
    this.queueName = options.queueName ?? 'keyward'
    this.queue = new Queue(this.queueName, {
      connection: options.connection,
      prefix: options.prefix,
    })
    // An 'error' event without a listener would crash the process.
    this.queue.on('error', (error) => this.options.onError?.(error))
  }

  static fromConfig(
    app: ApplicationService,
    options: Pick<JobSchedulerOptions, 'queueName' | 'onError'> = {}
  ) {
    return new JobScheduler(app, {
      ...bullmqOptionsFrom(app.config.get<typeof redisConfig>('redis')),
      ...options,
    })
  }

  /**
   * Creates or updates a scheduler per job and removes the schedulers of
   * jobs no longer in the list (a disabled plugin's, a renamed job's).
   */
  async schedule(jobs: JobDefinition[]) {
    const scheduled: string[] = []
    for (const job of jobs) {
      // A manual job runs only when enqueued; a schedule it had before is removed below.
      if (job.manual) continue
      await this.queue.upsertJobScheduler(job.name, repeatFor(job), {
        name: job.name,
        opts: { removeOnComplete: { count: 200 }, removeOnFail: { count: 1000 } },
      })
      scheduled.push(job.name)
    }
    const wanted = new Set(scheduled)
    const removed: string[] = []
    for (const existing of await this.queue.getJobSchedulers(0, -1)) {
      const id = existing.key
      if (wanted.has(id)) continue
      await this.queue.removeJobScheduler(id)
      removed.push(id)
    }
    return { scheduled, removed }
  }

  /**
   * Calls `listener` each time the queue's connection to Redis becomes
   * ready, the first time and after every reconnection: a Redis that came
   * back empty has forgotten the schedules.
   */
  onConnected(listener: () => void) {
    this.queue.backend.on('ready', listener)
  }

  /**
   * Starts a worker that runs each job by name with its lazily loaded
   * handler. A handler's failure fails that run only.
   */
  work(
    jobs: JobDefinition[],
    options: { concurrency?: number; onRun?: (report: JobRunReport) => void } = {}
  ) {
    if (this.#worker) throw new Error('This scheduler already runs a worker')
    const byName = new Map(jobs.map((job) => [job.name, job]))
    const processor = async (job: Job) => {
      const definition = byName.get(job.name)
      if (!definition) {
        const error = new UnknownJobError(job.name)
        options.onRun?.({ name: job.name, durationMs: 0, error })
        throw error
      }
      const running = runJob(definition, {
        app: this.app,
        scheduledAt: new Date(job.timestamp + (job.delay ?? 0)),
        data: job.data,
      })
      this.#running.add(running)
      const report = await running.finally(() => this.#running.delete(running))
      options.onRun?.(report)
      if (report.error !== undefined) throw report.error
      return report.result
    }
    this.#worker = new Worker(this.queueName, processor, {
      connection: this.options.connection,
      prefix: this.options.prefix,
      concurrency: options.concurrency ?? 1,
    })
    this.#worker.on('error', (error) => this.options.onError?.(error))
    return this.#worker
  }

  /**
   * Lets running jobs finish, then lets go of Redis. BullMQ's graceful close
   * waits for Redis to answer, which never happens while it is down; then
   * only this process' own running jobs are waited for. A job fetched in
   * between is left active and runs again after BullMQ's stalled check.
   */
  async close() {
    if (this.#worker) {
      if (await this.#redisReady()) {
        await this.#worker.close()
      } else {
        await Promise.allSettled(this.#running)
        await this.#worker.close(true)
      }
    }
    await this.queue.close()
  }

  async #redisReady() {
    let timer: NodeJS.Timeout | undefined
    const gaveUp = new Promise<null>((resolve) => {
      timer = setTimeout(() => resolve(null), REDIS_READY_WAIT_MS)
    })
    const client = await Promise.race([this.queue.backend.client, gaveUp])
    clearTimeout(timer)
    return client?.status === 'ready'
  }
}
