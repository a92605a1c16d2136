import { Queue } from 'bullmq'
import type redisConfig from '#config/redis'
import { bullmqOptionsFrom } from '#services/job_scheduler'

export type QueueState = 'waiting' | 'active' | 'delayed' | 'failed'
export const QUEUE_STATES: QueueState[] = ['waiting', 'active', 'delayed', 'failed']

/**
 * How many jobs the app's BullMQ queue holds per state, for the metrics'
 * `keyward_queue_jobs` and the monitoring page alike: one read-only Queue
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
    if (!this.#queue) {
      const { connection, prefix } = bullmqOptionsFrom(this.config)
      this.#queue = new Queue(this.queueName, {
        connection: { ...connection, maxRetriesPerRequest: 1 },
        prefix,
      })
      this.#queue.on('error', () => {})
    }
    const counts = await this.#queue.getJobCounts(...QUEUE_STATES)
    return Object.fromEntries(QUEUE_STATES.map((state) => [state, counts[state] ?? 0])) as Record<
      QueueState,
      number
    >
  }

  async close() {
    await this.#queue?.close()
    this.#queue = undefined
  }
}
