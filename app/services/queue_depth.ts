import { Queue, type JobType } from 'bullmq'
import type redisConfig from '#config/redis'
import { bullmqOptionsFrom } from '#services/job_scheduler'

export type QueueState = 'waiting' | 'active' | 'delayed' | 'failed'
export const QUEUE_STATES: QueueState[] = ['waiting', 'active', 'delayed', 'failed']

/**
 * Reads the app's BullMQ queue: how many jobs it holds per state (the
 * metrics' `keyward_queue_jobs`, the monitoring page) and the jobs in given
 * states (the Backups page), all through one read-only Queue
 * per process, opened on first use (its own Redis connection, as BullMQ
 * wants) and closed when the process shuts down (providers/metrics_provider.ts).
 * A command fails after one reconnect attempt instead of waiting for Redis.
 */
export default class QueueDepth {
  #queue?: Queue

  constructor(
    protected config: typeof redisConfig,
    protected queueName = 'keyward'
  ) {}

  async counts(): Promise<Record<QueueState, number>> {
    const counts = await this.#open().getJobCounts(...QUEUE_STATES)
    return Object.fromEntries(QUEUE_STATES.map((state) => [state, counts[state] ?? 0])) as Record<
      QueueState,
      number
    >
  }

  /** The jobs in these states (the Backups page's queued and running work). */
  jobs(states: JobType[]) {
    return this.#open().getJobs(states)
  }

  #open() {
    if (!this.#queue) {
      const { connection, prefix } = bullmqOptionsFrom(this.config)
      this.#queue = new Queue(this.queueName, {
        connection: { ...connection, maxRetriesPerRequest: 1 },
        prefix,
      })
      this.#queue.on('error', () => {})
    }
    return this.#queue
  }

  async close() {
    await this.#queue?.close()
    this.#queue = undefined
  }
}
