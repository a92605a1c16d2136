/*
| Checks that run before the application boots: are PostgreSQL and Redis
| reachable, and does the database exist. They print one line that says what
| to start and where, instead of a stack trace.
*/
import { createServer } from 'node:net'
import pg from 'pg'
import { Redis } from 'ioredis'

export class PreflightError extends Error {}

function describePostgres(url: URL) {
  return `${url.hostname}:${url.port || 5432}`
}

/**
 * Connects to the server's maintenance database (not the app's, which may not
 * exist yet) and creates the app database when it is missing.
 */
export async function ensureDatabase(databaseUrl: string) {
  const url = new URL(databaseUrl)
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''))
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new PreflightError(`DATABASE_URL names an unusable database "${name}".`)
  }
  const maintenance = new URL(databaseUrl)
  maintenance.pathname = '/postgres'
  const client = new pg.Client({
    connectionString: maintenance.href,
    connectionTimeoutMillis: 5000,
  })
  try {
    await client.connect()
  } catch (error) {
    throw new PreflightError(
      `PostgreSQL is not reachable at ${describePostgres(url)} (${(error as Error).message}): ` +
        `start PostgreSQL there or set DATABASE_URL.`
    )
  }
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name}"`)
      return { name, created: true }
    }
    return { name, created: false }
  } finally {
    await client.end()
  }
}

export async function dropDatabase(databaseUrl: string) {
  const url = new URL(databaseUrl)
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''))
  url.pathname = '/postgres'
  const client = new pg.Client({ connectionString: url.href })
  await client.connect()
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  } finally {
    await client.end()
  }
}

export async function checkRedis(redisUrl: string) {
  const url = new URL(redisUrl)
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  redis.on('error', () => {})
  try {
    await redis.connect()
    await redis.ping()
  } catch (error) {
    throw new PreflightError(
      `Redis is not reachable at ${url.hostname}:${url.port || 6379} (${(error as Error).message}): ` +
        `start Redis there or set REDIS_URL.`
    )
  } finally {
    redis.disconnect()
  }
}

/**
 * A TCP port that is free on the loopback interface right now.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}
