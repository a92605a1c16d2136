/*
| Checks that run before the application boots: are PostgreSQL and Redis
| reachable, does the database exist, and (for the tests) are the programs
| the suites drive installed. They print one line that says what to start or
| install and where, instead of a stack trace.
*/
import { spawnSync } from 'node:child_process'
import { accessSync, constants, existsSync, readdirSync, realpathSync } from 'node:fs'
import { createServer } from 'node:net'
import { delimiter, dirname, join } from 'node:path'
import pg from 'pg'
import { Redis } from 'ioredis'

export class PreflightError extends Error {}

function describePostgres(url: URL) {
  return `${url.hostname}:${url.port || 5432}`
}

/**
 * A client of the server's maintenance database (not the app's, which may
 * not exist yet), connected, or a PreflightError that says what to start.
 */
async function connectMaintenance(databaseUrl: string) {
  const url = new URL(databaseUrl)
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
  return client
}

export async function checkPostgres(databaseUrl: string) {
  const client = await connectMaintenance(databaseUrl)
  await client.end()
}

/** Creates the app database when it is missing. */
export async function ensureDatabase(databaseUrl: string) {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''))
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new PreflightError(`DATABASE_URL names an unusable database "${name}".`)
  }
  const client = await connectMaintenance(databaseUrl)
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

/**
 * A program from Debian that a test suite drives for real. `find` says where
 * it is, or null when it is missing.
 */
export interface SystemTool {
  /** The Debian package that brings it. */
  package: string
  /** What needs it, for the message. */
  neededBy: string
  /** The suites that use it. */
  suites: string[]
  find(): string | null
}

function onPath(command: string) {
  for (const folder of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(folder, command)
    if (folder && isExecutable(candidate)) return candidate
  }
  return null
}

function isExecutable(path: string) {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

/**
 * PostgreSQL's server programs (initdb, pg_ctl, postgres): Debian keeps them
 * in /usr/lib/postgresql/<version>/bin, off the PATH. The newest wins.
 */
/** Where Debian puts pgbouncer (sbin, often not on a user's PATH), or null. */
export function pgbouncerPath() {
  return ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((path) => isExecutable(path)) ?? null
}

export function postgresBinDir() {
  const fromPath = onPath('initdb')
  if (fromPath) return dirname(realpathSync(fromPath))
  const root = '/usr/lib/postgresql'
  if (!existsSync(root)) return null
  const versions = readdirSync(root)
    .filter((name) => isExecutable(join(root, name, 'bin', 'initdb')))
    .sort((left, right) => Number(right) - Number(left))
  return versions.length > 0 ? join(root, versions[0], 'bin') : null
}

export const TEST_TOOLS: SystemTool[] = [
  {
    package: 'chromium',
    neededBy: 'the browser tests',
    suites: ['browser'],
    find: () => {
      const path = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
      return isExecutable(path) ? path : null
    },
  },
  {
    package: 'redis-server',
    neededBy: 'the fault tests (a private Redis)',
    suites: ['faults'],
    find: () => onPath('redis-server'),
  },
  {
    package: 'postgresql',
    neededBy: 'the fault tests (a private PostgreSQL cluster)',
    suites: ['faults'],
    find: () => {
      const folder = postgresBinDir()
      return folder ? join(folder, 'initdb') : null
    },
  },
  {
    package: 'prometheus',
    neededBy: 'the tests of the shipped Prometheus rules and configuration (promtool, prometheus)',
    suites: ['functional'],
    find: () => (onPath('promtool') ? onPath('prometheus') : null),
  },
  {
    package: 'postgresql-client',
    neededBy:
      'the backup tests (pg_dump, pg_restore and psql, as backup:create and backup:restore run them)',
    suites: ['functional'],
    find: () =>
      ['pg_dump', 'pg_restore', 'psql'].every((program) => onPath(program))
        ? onPath('pg_dump')
        : null,
  },
  {
    package: 'pgbouncer',
    neededBy: 'the test of the client API behind PgBouncer in transaction mode',
    suites: ['functional'],
    find: () => pgbouncerPath(),
  },
  {
    package: 'prometheus-alertmanager',
    neededBy: 'the test of the shipped Alertmanager example (amtool)',
    suites: ['functional'],
    find: () => onPath('amtool'),
  },
]

/** How this process may install packages: as root, with passwordless sudo, or not at all. */
function installer(): string[] | null {
  if (process.getuid?.() === 0) return []
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' })
  return sudo.status === 0 ? ['sudo', '-n'] : null
}

function aptGet(prefix: string[], args: string[]) {
  const [command, ...rest] = [...prefix, 'apt-get', ...args]
  const result = spawnSync(command, rest, {
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    encoding: 'utf8',
  })
  if (result.status !== 0) {
    throw new PreflightError(
      `apt-get ${args.join(' ')} failed (${result.error?.message ?? `exit code ${result.status}`}):\n` +
        `${result.stdout ?? ''}${result.stderr ?? ''}`.trim()
    )
  }
}

/**
 * Makes sure the programs the given suites drive are installed: missing
 * Debian packages are installed with apt-get when this process runs as root
 * or may use sudo without a password; otherwise it stops with one line that
 * names the packages and the command. Nothing is ever downloaded from
 * anywhere but the system's package sources, and no suite is skipped.
 */
export function ensureSystemTools(
  suites: string[] | null,
  log: (line: string) => void = console.log
) {
  const wanted = TEST_TOOLS.filter(
    (tool) => suites === null || tool.suites.some((suite) => suites.includes(suite))
  )
  const missing = wanted.filter((tool) => tool.find() === null)
  if (missing.length === 0) return []
  const packages = missing.map((tool) => tool.package)
  const prefix = installer()
  if (!prefix) {
    const needs = missing.map((tool) => `${tool.package} (${tool.neededBy})`).join(', ')
    throw new PreflightError(
      `The tests need ${needs}: run \`sudo apt-get install -y ${packages.join(' ')}\` ` +
        `(or run the tests as root, or with passwordless sudo, to have them installed).`
    )
  }
  log(`Installing ${packages.join(', ')} from the system's package sources (needed by the tests)…`)
  aptGet(prefix, ['update', '-qq'])
  aptGet(prefix, ['install', '-y', '-qq', ...packages])
  const stillMissing = missing.filter((tool) => tool.find() === null)
  if (stillMissing.length > 0) {
    throw new PreflightError(
      `Installed ${packages.join(', ')}, but ${stillMissing.map((tool) => tool.package).join(', ')} ` +
        `still cannot be found.`
    )
  }
  log(`Installed ${packages.join(', ')}.`)
  return packages
}
