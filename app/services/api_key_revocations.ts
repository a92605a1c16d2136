import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import redis from '@adonisjs/redis/services/main'
import type ApiKeyCache from '#services/api_key_cache'

/**
 * Revocations of API keys, told to every process over Redis pub/sub so
 * that each drops the key from its ApiKeyCache at once. Channels carry no
 * key prefix in Redis; the install's prefix is put in front by hand, so
 * that installs (and test runs) sharing a Redis do not hear each other.
 */
function channel() {
  const prefix = app.config.get<string>('redis.connections.main.keyPrefix', '')
  return `${prefix}api-keys:revoked`
}

/**
 * Subscribes this process: the cache turns live once the subscription
 * stands, and off (asking the database each time) whenever the subscriber
 * connection is down, until it is back and subscribed again.
 */
export function listenForRevocations(cache: ApiKeyCache) {
  const connection = redis.connection()
  connection.subscribe(channel(), (digest) => cache.forget(digest), {
    onSubscription: () => cache.setLive(true),
    onError: (error) => {
      cache.setLive(false)
      logger.warn(
        { err: error },
        'API keys: no revocation channel; every request asks the database'
      )
    },
  })
  const off = () => {
    if (cache.live) cache.setLive(false)
  }
  connection.on('subscriber:error', off)
  connection.on('subscriber:close', off)
  connection.on('subscriber:reconnecting', off)
  // ioredis subscribes again on its own once the connection is ready.
  connection.on('subscriber:ready', () => {
    if (!cache.live && connection.subscriberStatus === 'ready') cache.setLive(true)
  })
}

/** Drops the key here and tells the other processes; a failed announcement is logged. */
export async function announceRevocation(cache: ApiKeyCache, digest: string) {
  cache.forget(digest)
  try {
    await redis.publish(channel(), digest)
  } catch (error) {
    logger.warn(
      { err: error },
      'API keys: the revocation could not be announced; other processes refuse the key within the cache time'
    )
  }
}
