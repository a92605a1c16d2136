import { defineConfig, stores } from '@adonisjs/lock'

/**
 * Mutexes shared by every process: they live in Redis, like the rate limit.
 * Used where a change is a read-modify-write outside the database (the
 * lease keyring file); changes in PostgreSQL lock rows instead.
 */
const lockConfig = defineConfig({
  default: 'redis',
  stores: {
    redis: stores.redis({ connectionName: 'main' }),
    memory: stores.memory(),
  },
})

export default lockConfig

declare module '@adonisjs/lock/types' {
  export interface LockStoresList extends InferLockStores<typeof lockConfig> {}
}
