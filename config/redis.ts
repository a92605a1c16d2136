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
       * Fail fast instead of queueing commands forever while Redis is away:
       * callers (the rate limiter) decide how to degrade.
       */
      maxRetriesPerRequest: 1,
      retryStrategy(times) {
        return Math.min(times * 200, 5000)
      },
    },
  },
})

export default redisConfig

declare module '@adonisjs/redis/types' {
  export interface RedisConnections extends InferConnections<typeof redisConfig> {}
}
