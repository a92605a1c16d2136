/*
| What the bench measures against, made ready: a production build, a
| database and a Redis key prefix of the run's own, migrated and seeded with
| an API key and licenses, the server started, and one session per license
| started through the API. Each thing created registers its undoing.
*/
import { randomBytes } from 'node:crypto'
import type { ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, rm, symlink } from 'node:fs/promises'
import { availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { Redis } from 'ioredis'
import {
  checkRedis,
  dropDatabase,
  ensureDatabase,
  freePort,
  PreflightError,
} from '../bin/preflight.ts'
import {
  apiKeyHint,
  generateApiKey,
  generateLicenseKey,
  hashApiKey,
} from '../app/support/license_keys.ts'
import { type Harness, lastLines, NODE, pool, ROOT, round } from './harness.ts'

/** The knobs of a run (`npm run bench -- --help`), as bench/results.json records them. */
export type Settings = {
  duration: number
  warmup: number
  sessions: number
  connections: number
  rate: number
  pgbenchClients: number
  /**
   * The servers' METRICS_ENABLED: `on` (the default, as installed), `off`,
   * or `both`: the runs with metrics on, plus the heartbeat runs taken in
   * turns by two fresh servers, metrics on and off, side by side.
   */
  metrics: 'on' | 'off' | 'both'
  /** SECURITY_EVENTS of the servers; `both`: two fresh servers, on and off, take turns (like metrics). */
  security: 'on' | 'off' | 'both'
  /** A folder for a V8 CPU profile of every server process (`--cpu-prof`), written when it stops. */
  cpuProfileDir?: string
  /** `--simulate`: the 100,000-client simulation after the other runs (bench/simulation.ts). */
  simulate: boolean
  /** `--history`: heartbeats again over 20 million logged beats and 5 million ended sessions (bench/history.ts). */
  history: boolean
}

export const HEARTBEAT_PATH = '/api/license/session/heartbeat'
export const START_PATH = '/api/license/session/start'
export const USAGE_PATH = '/api/license/usage'
export const VERIFY_PATH = '/api/license/verify'

export function apiHeaders(apiKey: string) {
  return { 'content-type': 'application/json', 'x-api-key': apiKey }
}

/*
|--------------------------------------------------------------------------
| The run's own database, Redis prefix and environment
|--------------------------------------------------------------------------
*/
function storesOfTheRun() {
  const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
  const databaseUrl = new URL(
    process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/keyward'
  )
  databaseUrl.pathname = `/keyward_bench_${runId}`
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0'
  const redisPrefix = `keyward_bench_${runId}:`

  const appEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    APP_KEY: randomBytes(32).toString('base64url'),
    DATABASE_URL: databaseUrl.href,
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: redisPrefix,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    API_RATE_LIMIT: '0',
    // Sessions must outlive the run: no session expires between two beats.
    SESSION_HEARTBEAT_INTERVAL: '300',
    SESSION_TIMEOUT: '900',
    NO_COLOR: '1',
    FORCE_COLOR: '0',
  }
  return { databaseUrl, redisUrl, redisPrefix, appEnv }
}

type Stores = ReturnType<typeof storesOfTheRun>

async function checkPrerequisites(harness: Harness, redisUrl: string) {
  const load1 = loadavg()[0]
  if (load1 > 0.5) {
    console.log(
      `note: load average ${round(load1, 2)} at start: other work on the machine lowers the figures.`
    )
  }
  try {
    await checkRedis(redisUrl)
  } catch (error) {
    if (error instanceof PreflightError) throw new Error(error.message)
    throw error
  }
  const probe = await harness.run('pgbench', ['--version']).catch(() => ({ code: 1, output: '' }))
  if (probe.code !== 0)
    throw new Error('pgbench is not installed (apt-get install postgresql-client)')
}

async function createStores(harness: Harness, stores: Stores) {
  const { databaseUrl, redisUrl, redisPrefix } = stores
  harness.step(`creating database ${databaseUrl.pathname.slice(1)}, Redis prefix ${redisPrefix}`)
  await ensureDatabase(databaseUrl.href)
  harness.onCleanup('drop the database', () => dropDatabase(databaseUrl.href))
  harness.onCleanup('delete the Redis keys', async () => {
    const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 })
    redis.on('error', () => {})
    await redis.connect()
    try {
      let cursor = '0'
      do {
        const [nextCursor, keys] = await redis.scan(
          cursor,
          'MATCH',
          `${redisPrefix}*`,
          'COUNT',
          500
        )
        if (keys.length > 0) await redis.del(...keys)
        cursor = nextCursor
      } while (cursor !== '0')
    } finally {
      redis.disconnect()
    }
  })
}

/*
|--------------------------------------------------------------------------
| Production build
|--------------------------------------------------------------------------
*/
export type ServerMode = { label: string; cwd: string; serverArgs: string[]; aceArgs: string[] }

const BUILD_DIR = join(ROOT, 'tmp/bench-build')

const SOURCE_MODE: ServerMode = {
  label: 'bin/server.ts run from source with NODE_ENV=production (no build)',
  cwd: ROOT,
  serverArgs: ['--import', '@poppinss/ts-exec', 'bin/server.ts'],
  aceArgs: ['ace.ts'],
}

async function build(harness: Harness, appEnv: NodeJS.ProcessEnv): Promise<ServerMode> {
  harness.step('building for production: node ace.ts build (into tmp/bench-build)')
  const { code, output } = await harness.run(
    NODE,
    ['ace.ts', 'build', '--ignore-ts-errors', '--tsconfig', 'bench/tsconfig.build.json'],
    { env: appEnv }
  )
  const tsErrors = output.split('\n').filter((line) => /error TS\d+/.test(line))
  if (tsErrors.length > 0) {
    const note = `tsc reported ${tsErrors.length} error(s); built with --ignore-ts-errors. First: ${tsErrors[0].trim()}`
    harness.notes.push(note)
    console.log(`        note: ${note}`)
  }
  if (code !== 0 || !existsSync(join(BUILD_DIR, 'bin/server.js'))) {
    const note = `ace build failed (exit ${code}); falling back to ${SOURCE_MODE.label}`
    harness.notes.push(note)
    console.log(`        ${note}:\n${lastLines(output)}`)
    return SOURCE_MODE
  }
  // The build has no node_modules of its own: it uses the project's.
  await symlink('../../node_modules', join(BUILD_DIR, 'node_modules'), 'dir')
  harness.onCleanup('remove the build', () => rm(BUILD_DIR, { recursive: true, force: true }))
  return {
    label: 'production build (node tmp/bench-build/bin/server.js)',
    cwd: BUILD_DIR,
    serverArgs: ['bin/server.js'],
    aceArgs: ['ace.js'],
  }
}

/** The same servers, each writing a CPU profile into `dir` when it stops. */
function profiled(mode: ServerMode, dir: string): ServerMode {
  return { ...mode, serverArgs: ['--cpu-prof', '--cpu-prof-dir', dir, ...mode.serverArgs] }
}

async function migrate(harness: Harness, mode: ServerMode, appEnv: NodeJS.ProcessEnv) {
  harness.step('migrating: ace migration:run --force')
  const migration = await harness.run(NODE, [...mode.aceArgs, 'migration:run', '--force'], {
    cwd: mode.cwd,
    env: appEnv,
  })
  if (migration.code !== 0) throw new Error(`migration failed:\n${lastLines(migration.output)}`)
}

/*
|--------------------------------------------------------------------------
| Server processes
|--------------------------------------------------------------------------
*/
export type Server = { url: string; stop: () => Promise<void> }

/** SIGTERM, SIGKILL after 10 s; resolves once the process is gone. */
async function stopGracefully(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  await exited
  clearTimeout(timer)
}

async function startServer(
  harness: Harness,
  mode: ServerMode,
  appEnv: NodeJS.ProcessEnv
): Promise<Server> {
  const port = await freePort()
  const { child, output } = harness.spawn(NODE, mode.serverArgs, {
    cwd: mode.cwd,
    env: { ...appEnv, PORT: String(port) },
    keepLast: 8000,
  })
  const url = `http://127.0.0.1:${port}`

  const stop = () => stopGracefully(child)
  harness.onCleanup(`stop the server on port ${port}`, stop)

  const deadline = Date.now() + 60_000
  while (true) {
    if (child.exitCode !== null) throw new Error(`the server exited:\n${lastLines(output())}`)
    try {
      const response = await fetch(`${url}/health`)
      if (response.ok) break
    } catch {}
    if (Date.now() > deadline)
      throw new Error(`the server did not come up:\n${lastLines(output())}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { url, stop }
}

async function startWorker(harness: Harness, mode: ServerMode, appEnv: NodeJS.ProcessEnv) {
  const { child, output } = harness.spawn(NODE, [...mode.aceArgs, 'jobs:work'], {
    cwd: mode.cwd,
    // At info it says when it is up.
    env: { ...appEnv, LOG_LEVEL: 'info' },
    keepLast: 8000,
  })
  const stop = () => stopGracefully(child)
  harness.onCleanup('stop the job worker', stop)
  // It is up once it has said so; give it 60 s.
  const deadline = Date.now() + 60_000
  while (!output().includes('job worker started')) {
    if (child.exitCode !== null) throw new Error(`the job worker exited:\n${lastLines(output())}`)
    if (Date.now() > deadline)
      throw new Error(`the job worker did not come up:\n${lastLines(output())}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  return { stop }
}

/*
|--------------------------------------------------------------------------
| The machine, for the report
|--------------------------------------------------------------------------
*/
export type Machine = Awaited<ReturnType<typeof describeMachine>>

async function describeMachine(client: pg.Client) {
  let cpu = 'unknown'
  try {
    const cpuinfo = await readFile('/proc/cpuinfo', 'utf8')
    cpu = cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1] ?? cpu
  } catch {}
  const { rows } = await client.query('SHOW server_version')
  const {
    rows: [autovacuum],
  } = await client.query('SHOW autovacuum')
  return {
    cores: availableParallelism(),
    cpu: cpu.trim(),
    node: process.version,
    postgres: String(rows[0].server_version).split(' ')[0],
    autovacuum: autovacuum.autovacuum as string,
    loadAverageAtStart: round(loadavg()[0], 2),
  }
}

/*
|--------------------------------------------------------------------------
| Seeding
|--------------------------------------------------------------------------
*/
export type Session = { licenseKey: string; fingerprint: string; token: string }

function newLicenseKeys(count: number, taken: Set<string>) {
  const keys: string[] = []
  while (keys.length < count) {
    const key = generateLicenseKey()
    if (taken.has(key)) continue
    taken.add(key)
    keys.push(key)
  }
  return keys
}

async function insertLicenses(client: pg.Client, productId: number, keys: string[]) {
  await client.query(
    `INSERT INTO licenses (key, product_id, type, expiry_basis, status, max_devices, max_sessions, session_policy)
     SELECT k, $1, 'perpetual', 'creation', 'active', 1, 1, 'resumable' FROM unnest($2::text[]) AS k`,
    [productId, keys]
  )
}

/** An API key, and perpetual licenses: `sessions` to hold a session each, `fresh` for fresh starts. */
async function seed(client: pg.Client, counts: { sessions: number; fresh: number }) {
  const apiKey = generateApiKey()
  await client.query(
    `INSERT INTO api_keys (name, key_hash, key_hint, created_at, updated_at)
     VALUES ('bench', $1, $2, now(), now())`,
    [hashApiKey(apiKey), apiKeyHint(apiKey)]
  )
  const {
    rows: [product],
  } = await client.query(`INSERT INTO products (name, slug) VALUES ('Bench', 'bench') RETURNING id`)
  const taken = new Set<string>()
  const sessionKeys = newLicenseKeys(counts.sessions, taken)
  const freshKeys = newLicenseKeys(counts.fresh, taken)
  await insertLicenses(client, product.id, sessionKeys)
  await insertLicenses(client, product.id, freshKeys)
  const usageMeter = await insertMeter(client, product.id)
  return { apiKey, sessionKeys, freshKeys, usageMeter }
}

/**
 * The meter the usage runs record against: monthly, deny, with a limit
 * no run reaches, so every record takes the full path (limit checked,
 * counter raised, event logged) and none is refused.
 */
async function insertMeter(client: pg.Client, productId: number) {
  const {
    rows: [meter],
  } = await client.query(
    `INSERT INTO meters (product_id, code, name, period, default_limit, overage)
     VALUES ($1, 'bench_records', 'Bench records', 'month', 1000000000000, 'deny') RETURNING code`,
    [productId]
  )
  return meter.code as string
}

async function startSessions(url: string, apiKey: string, keys: string[], connections: number) {
  return pool(keys, connections, async (licenseKey, index): Promise<Session> => {
    const fingerprint = `bench-device-${index}`
    const response = await fetch(`${url}${START_PATH}`, {
      method: 'POST',
      headers: apiHeaders(apiKey),
      body: JSON.stringify({ license_key: licenseKey, hardware_fingerprint: fingerprint }),
    })
    const body = (await response.json()) as { session_token?: string }
    if (response.status !== 201 || !body.session_token) {
      throw new Error(`session start answered ${response.status}: ${JSON.stringify(body)}`)
    }
    return { licenseKey, fingerprint, token: body.session_token }
  })
}

/** The sessions numbered 1…n, for pgbench to pick one at random by primary key. */
async function numberSessions(client: pg.Client) {
  await client.query(
    `CREATE TABLE bench_sessions AS
       SELECT row_number() OVER (ORDER BY s.id)::int AS n, s.token_hash, l.key AS license_key
         FROM license_sessions s JOIN licenses l ON l.id = s.license_id`
  )
  await client.query('ALTER TABLE bench_sessions ADD PRIMARY KEY (n)')
}

/*
|--------------------------------------------------------------------------
| All of it, in order
|--------------------------------------------------------------------------
*/
export type Prepared = Awaited<ReturnType<typeof prepare>>

export async function prepare(harness: Harness, settings: Settings, options: { build: boolean }) {
  const stores = storesOfTheRun()
  stores.appEnv.METRICS_ENABLED = settings.metrics === 'off' ? 'false' : 'true'
  stores.appEnv.SECURITY_EVENTS = settings.security === 'off' ? 'false' : 'true'
  await checkPrerequisites(harness, stores.redisUrl)
  const built = options.build ? await build(harness, stores.appEnv) : SOURCE_MODE
  const mode = settings.cpuProfileDir ? profiled(built, settings.cpuProfileDir) : built

  await createStores(harness, stores)
  await migrate(harness, mode, stores.appEnv)

  const client = new pg.Client({ connectionString: stores.databaseUrl.href })
  await client.connect()
  harness.onCleanup('close the database connection', () => client.end())
  const host = await describeMachine(client)

  /** Licenses for fresh starts: more than the fastest start rate seen here can use up. */
  const freshLicenses = Math.max(10_000, settings.duration * 3200)
  harness.step(
    `seeding: 1 API key, ${settings.sessions} + ${freshLicenses} perpetual licenses, 1 meter`
  )
  const { apiKey, sessionKeys, freshKeys, usageMeter } = await seed(client, {
    sessions: settings.sessions,
    fresh: freshLicenses,
  })

  harness.step(`starting the server: ${mode.label}`)
  const server = await startServer(harness, mode, stores.appEnv)

  harness.step(`starting ${settings.sessions} sessions through the API`)
  const sessions = await startSessions(server.url, apiKey, sessionKeys, settings.connections)
  await numberSessions(client)

  return {
    databaseUrl: stores.databaseUrl,
    mode,
    client,
    host,
    apiKey,
    server,
    sessions,
    freshKeys,
    usageMeter,
    /** Another server process of the same mode, on the same database; `env` overrides settings. */
    startServer: (env: NodeJS.ProcessEnv = {}) =>
      startServer(harness, mode, { ...stores.appEnv, ...env }),
    /** The job worker (`ace jobs:work`) of the same mode, on the same database and Redis prefix. */
    startWorker: (env: NodeJS.ProcessEnv = {}) =>
      startWorker(harness, mode, { ...stores.appEnv, ...env }),
  }
}
