import { defineConfig, stores } from '@adonisjs/limiter'

/**
 * Rate-limit counters live in Redis so that a limit holds across every
 * server process behind a load balancer.
 */
const limiterConfig = defineConfig({
  default: 'redis',
  stores: {
    redis: stores.redis({ connectionName: 'main' }),
  },
})

export default limiterConfig

declare module '@adonisjs/limiter/types' {
  export interface LimitersList extends InferLimiters<typeof limiterConfig> {}
}
