import type { Logger } from '@adonisjs/core/logger'
import type { Dependency } from '#support/unavailable'

/** The events of @adonisjs/redis connections and of the database pool (tarn) that tell up from down. */
interface RedisConnectionEvents {
  on(event: 'ready' | 'reconnecting', listener: () => void): unknown
  on(event: 'error', listener: (data: { error: Error }) => void): unknown
}
interface PoolEvents {
  on(event: 'createSuccess', listener: () => void): unknown
  on(event: 'createFail', listener: (eventId: number, error: Error) => void): unknown
}

/**
 * Knows whether PostgreSQL and Redis are reachable, from their clients'
 * own connection events, and says so in the log once when one goes away and
 * once when it is back: a reconnecting client retries every second, and a
 * line per attempt (or per refused request) would bury everything else.
 *
 * While Redis is known to be down the panel refuses requests at once (503)
 * instead of letting each one wait for a reconnection, and the client API
 * runs without its rate limit (docs/decisions/0003-rate-limit-fails-open.md).
 * The database has no such shortcut: the pool retries on every request, and
 * a refused connection fails within milliseconds.
 */
export default class ServiceHealth {
  /** When each dependency that is down went away (ms since the epoch). */
  #outages = new Map<Dependency, number>()

  constructor(
    protected logger: Logger,
    protected now: () => number = Date.now
  ) {}

  isDown(dependency: Dependency) {
    return this.#outages.has(dependency)
  }

  /** Since when a dependency is down, or null while it is up. */
  downSince(dependency: Dependency) {
    const since = this.#outages.get(dependency)
    return since === undefined ? null : new Date(since)
  }

  markDown(dependency: Dependency, reason: Error | string) {
    if (this.#outages.has(dependency)) return
    const message = typeof reason === 'string' ? reason : reason.message || reason.name
    this.#outages.set(dependency, this.now())
    this.logger.warn({ dependency, reason: message }, `${NAMES[dependency]} is unreachable`)
  }

  markUp(dependency: Dependency) {
    const since = this.#outages.get(dependency)
    if (since === undefined) return
    this.#outages.delete(dependency)
    const downForMs = this.now() - since
    this.logger.warn(
      { dependency, downForMs },
      `${NAMES[dependency]} is reachable again after ${(downForMs / 1000).toFixed(1)} s`
    )
  }

  /** Follows a Redis connection: down from its first error or reconnect, up when it is ready. */
  watchRedis(connection: RedisConnectionEvents) {
    connection.on('error', ({ error }) => this.markDown('redis', error))
    connection.on('reconnecting', () => this.markDown('redis', 'connection lost'))
    connection.on('ready', () => this.markUp('redis'))
  }

  /** Follows the database pool: down when it cannot open a connection, up when it can again. */
  watchDatabasePool(pool: PoolEvents) {
    pool.on('createFail', (_eventId, error) => this.markDown('database', error))
    pool.on('createSuccess', () => this.markUp('database'))
  }
}

const NAMES: Record<Dependency, string> = { database: 'PostgreSQL', redis: 'Redis' }
