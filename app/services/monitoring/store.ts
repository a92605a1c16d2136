import type { Redis } from 'ioredis'
import { type FieldDeltas, type HttpBucket, bucketFromHash } from './http_deltas.js'

/** The commands of the app's Redis connection the store uses (`@adonisjs/redis` gives them all). */
type RedisCommands = Pick<Redis, 'multi' | 'pipeline' | 'hgetall' | 'hdel'>

export interface MonitoringStoreOptions {
  /** Prefix of every key (after the connection's own `REDIS_KEY_PREFIX`). */
  namespace: string
  /** Width of one time bucket, in seconds. */
  bucketSeconds: number
  /** How long a bucket is kept, in seconds (the chart's window). */
  windowSeconds: number
}

/**
 * The monitoring figures of every web process, in Redis: one hash per time
 * bucket (`<namespace>:http:<bucket start, ms>`) into which each process
 * adds what its counters grew by since its last sample (HINCRBY, so several
 * processes add up), and a hash of the processes that sampled and when.
 * Buckets expire once they have left the window.
 */
export default class MonitoringStore {
  constructor(
    protected redis: RedisCommands,
    readonly options: MonitoringStoreOptions
  ) {}

  get bucketMs() {
    return this.options.bucketSeconds * 1000
  }

  /** The start of the bucket a moment falls in (ms since the epoch, aligned on the epoch). */
  bucketStart(at: number) {
    return Math.floor(at / this.bucketMs) * this.bucketMs
  }

  protected bucketKey(start: number) {
    return `${this.options.namespace}:http:${start}`
  }

  protected get processesKey() {
    return `${this.options.namespace}:processes`
  }

  /**
   * Adds one sample of one process, in one MULTI (all of it or none of it
   * lands, so a sample that fails can be retried whole by the next one).
   */
  async add(processId: string, at: number, deltas: FieldDeltas) {
    const key = this.bucketKey(this.bucketStart(at))
    const transaction = this.redis.multi()
    for (const [field, value] of deltas) transaction.hincrby(key, field, Math.round(value))
    transaction.hincrby(key, 'samples', 1)
    transaction.expire(key, this.options.windowSeconds + this.options.bucketSeconds)
    transaction.hset(this.processesKey, processId, String(at))
    const results = await transaction.exec()
    const failure = results?.find(([error]) => error)
    if (!results || failure) throw failure?.[0] ?? new Error('monitoring sample was discarded')
  }

  /**
   * The buckets from the one holding `from` to the one holding `to`, oldest
   * first (a bucket nobody wrote reads as empty, `samples: 0`).
   */
  async buckets(from: number, to: number): Promise<{ start: number; bucket: HttpBucket }[]> {
    const starts: number[] = []
    for (let start = this.bucketStart(from); start <= to; start += this.bucketMs) {
      starts.push(start)
    }
    const pipeline = this.redis.pipeline()
    for (const start of starts) pipeline.hgetall(this.bucketKey(start))
    const results = (await pipeline.exec()) ?? []
    return starts.map((start, index) => {
      const [error, hash] = results[index] ?? [null, {}]
      if (error) throw error
      return { start, bucket: bucketFromHash((hash ?? {}) as Record<string, string>) }
    })
  }

  /**
   * The processes that sampled since `since`, with their last sample time;
   * processes silent for longer than the window are forgotten.
   */
  async processes(since: number, now: number): Promise<{ id: string; at: Date }[]> {
    const entries = await this.redis.hgetall(this.processesKey)
    const stale: string[] = []
    const recent: { id: string; at: Date }[] = []
    for (const [id, text] of Object.entries(entries)) {
      const at = Number(text)
      if (!Number.isFinite(at) || now - at > this.options.windowSeconds * 1000) stale.push(id)
      else if (at >= since) recent.push({ id, at: new Date(at) })
    }
    if (stale.length > 0) await this.redis.hdel(this.processesKey, ...stale)
    return recent.sort((a, b) => a.id.localeCompare(b.id))
  }
}
