import env from '#start/env'
import { defineConfig } from '@adonisjs/redis'
import type { InferConnections } from '@adonisjs/redis/types'

export const redisUrl = env.get('REDIS_URL', 'redis://127.0.0.1:6379/0')

/**
 * Parses `REDIS_URL` (redis://[:password@]host[:port][/db]) into the options
 * ioredis expects. `REDIS_KEY_PREFIX` lets several installs (or test runs)
 * share one Redis without touching each other's keys.
 */
function connectionFromUrl(value: string) {
  const url = new URL(value)
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: Number(url.pathname.replace('/', '') || 0),
    tls: url.protocol === 'rediss:' ? {} : undefined,
  }
}

const redisConfig = defineConfig({
  connection: 'main',
  connections: {
    main: {
      ...connectionFromUrl(redisUrl),
      keyPrefix: env.get('REDIS_KEY_PREFIX', 'keyward:'),
      /**
       * Bounded waits: a connection attempt gives up after 2 s, a command
       * after 3 s (a Redis that hangs instead of refusing), and a command
       * issued while the connection is down fails after one reconnect
       * attempt instead of queueing. Callers decide how to degrade: the
       * panel answers 503, the client API skips its rate limit.
       */
      connectTimeout: 2000,
      commandTimeout: 3000,
      maxRetriesPerRequest: 1,
      /**
       * Reconnect attempts are cheap (a refused connection returns at once),
       * so try every second at most: the app is back within a second of
       * Redis, not after a growing back-off of up to 5 s.
       */
      retryStrategy(times) {
        return Math.min(times * 100, 1000)
      },
    },
  },
})

export default redisConfig

declare module '@adonisjs/redis/types' {
  export interface RedisConnections extends InferConnections<typeof redisConfig> {}
}
