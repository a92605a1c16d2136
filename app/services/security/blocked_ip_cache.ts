import { BlockList, isIP } from 'node:net'
import logger from '@adonisjs/core/services/logger'
import redis from '@adonisjs/redis/services/main'
import db from '@adonisjs/lucid/services/db'
import type ServiceHealth from '#services/service_health'

/** The Redis key every change of `blocked_ips` increments (BlockedIpService). */
export const BLOCKED_IPS_VERSION_KEY = 'security:blocked_ips:version'

/** While Redis is away, the list is read from the database this often instead. */
const DATABASE_FALLBACK_MS = 5000

function familyOf(address: string) {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4'
}

/** `::ffff:203.0.113.7` is 203.0.113.7. */
function plainAddress(ip: string) {
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip
}

/**
 * This process' copy of the blocked-IP list, so the client API refuses
 * blocked callers without a query on every request (the heartbeat path
 * pays a lookup in memory). Every `refreshMs` a timer reads the list's
 * version from Redis and reloads the list from the database only when it
 * changed; so a block or an unblock reaches every process within about
 * `refreshMs` plus one query. While Redis is away the last known list
 * stays in force and is reloaded from the database every few seconds.
 *
 * One per process (providers/security_provider). The first request waits
 * for the first load; later ones never wait.
 */
export class BlockedIpCache {
  #list = new BlockList()
  #networks: string[] = []
  #version: string | null | undefined = undefined
  #loadedAt = 0
  #timer: NodeJS.Timeout | null = null
  #first: Promise<void> | null = null
  #refreshing = false

  constructor(
    protected health: ServiceHealth,
    protected refreshMs: number
  ) {}

  /** Starts the refresh timer and the first load (once); resolves when that load is done. */
  start() {
    this.#first ??= this.refresh()
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.refresh(), this.refreshMs)
      this.#timer.unref()
    }
    return this.#first
  }

  stop() {
    if (this.#timer) clearInterval(this.#timer)
    this.#timer = null
  }

  /** The networks in force in this process (for tests and diagnostics). */
  get networks() {
    return this.#networks
  }

  async isBlocked(ip: string) {
    await (this.#first ?? this.start())
    if (this.#networks.length === 0) return false
    const address = plainAddress(ip)
    return isIP(address) !== 0 && this.#list.check(address, familyOf(address))
  }

  /** Reads the version, and reloads the list when it moved (or Redis cannot say). */
  async refresh() {
    if (this.#refreshing) return
    this.#refreshing = true
    try {
      let version: string | null | undefined
      try {
        if (this.health.isDown('redis')) throw new Error('redis is down')
        version = await redis.get(BLOCKED_IPS_VERSION_KEY)
      } catch {
        version = undefined
      }
      const stale =
        version === undefined
          ? Date.now() - this.#loadedAt >= DATABASE_FALLBACK_MS
          : version !== this.#version
      if (stale) await this.#load(version)
    } catch (error) {
      logger.warn({ err: error }, 'blocked IPs not reloaded; the last known list stays in force')
    } finally {
      this.#refreshing = false
    }
  }

  async #load(version: string | null | undefined) {
    const rows: Array<{ network: string }> = await db
      .from('blocked_ips')
      .select(db.raw('network::text AS network'))
    const list = new BlockList()
    for (const { network } of rows) {
      const [address, prefix] = network.split('/')
      const family = familyOf(address)
      list.addSubnet(address, Number(prefix ?? (family === 'ipv6' ? 128 : 32)), family)
    }
    this.#list = list
    this.#networks = rows.map((row) => row.network)
    this.#loadedAt = Date.now()
    // A version read while Redis was away is unknown: the next read that works reloads.
    this.#version = version === undefined ? this.#version : version
  }
}

/** Tells every process (their caches) that `blocked_ips` changed. */
export async function announceBlockedIpsChanged() {
  try {
    await redis.incr(BLOCKED_IPS_VERSION_KEY)
  } catch (error) {
    logger.warn(
      { err: error },
      'blocked IPs changed, but Redis could not say so to other processes'
    )
  }
}
