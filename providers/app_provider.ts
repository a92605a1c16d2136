import pg from 'pg'
import { QueryClient } from '@adonisjs/lucid/database'
import { failOnLostCommits } from '#support/transaction'
import type { ApplicationService } from '@adonisjs/core/types'
import { LeaseKeyring } from '#services/lease_keyring'
import ServiceHealth from '#services/service_health'
import ApiKeyCache from '#services/api_key_cache'
import HeartbeatBatcher from '#services/heartbeat_batcher'
import { recordBeat, recordBeats } from '#services/heartbeat_recorder'

/**
 * Application-wide setup that has no better home.
 */
export default class AppProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    /**
     * PostgreSQL returns int8 (bigserial ids, count(*)) as strings; every
     * such value here stays far below 2^53, so read them as numbers.
     */
    pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value))

    /** A transaction whose COMMIT failed must not answer success (see failOnLostCommits). */
    failOnLostCommits(QueryClient)

    /** One keyring per process: it caches the keys and notices rotations. */
    this.app.container.singleton(LeaseKeyring, () => LeaseKeyring.fromConfig())

    /** One per process: the API keys it authenticated lately (config/api.ts). */
    this.app.container.singleton(
      ApiKeyCache,
      () => new ApiKeyCache(this.app.config.get('api.apiKeyCache'))
    )

    /** One per process: beats arriving together share a statement (config/sessions.ts). */
    this.app.container.singleton(HeartbeatBatcher, () => {
      const { maxBatch, maxInFlight } = this.app.config.get<{
        maxBatch: number
        maxInFlight: number
      }>('sessions.heartbeatBatch')
      return new HeartbeatBatcher({
        maxBatch: Math.max(1, maxBatch),
        maxInFlight: Math.max(1, maxInFlight),
        runBatch: recordBeats,
        runOne: recordBeat,
      })
    })

    this.app.container.singleton(
      ServiceHealth,
      async (resolver) => new ServiceHealth(await resolver.make('logger'))
    )
  }

  /**
   * View helpers of the panel: `when(date)` formats a moment the same way
   * on every page.
   */
  async boot() {
    const { default: edge } = await import('edge.js')
    const { formatMoment } = await import('#support/formatting')
    edge.global('when', formatMoment)

    /**
     * Redis and database outages are logged once each way by ServiceHealth,
     * not once per reconnect attempt at fatal level as @adonisjs/redis does.
     */
    const health = await this.app.container.make(ServiceHealth)
    const redis = await this.app.container.make('redis')
    redis.doNotLogErrors()
    redis.on('connection', (connection) => health.watchRedis(connection))
    const db = await this.app.container.make('lucid.db')
    health.watchDatabasePool(db.connection().getWriteClient().client.pool)
  }

  /**
   * Processes that serve the client API hear API-key revocations; others
   * (ace commands, the job worker) never cache a key and need no channel.
   */
  async ready() {
    if (!['web', 'test'].includes(this.app.getEnvironment())) return
    const { listenForRevocations } = await import('#services/api_key_revocations')
    listenForRevocations(await this.app.container.make(ApiKeyCache))
  }
}
