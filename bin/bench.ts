/*
| `npm run bench`: how fast the session API is, next to how fast the database
| alone runs the same heartbeat statement on the same machine.
|
| 1. Builds the app for production (`ace build`, into tmp/bench-build).
| 2. Creates a database and a Redis key prefix of its own, migrates, and
|    seeds an API key and licenses; starts one session per license through
|    the API.
| 3. Runs pgbench against that database with the heartbeat statement of
|    app/services/heartbeat_statements.ts: the database's ceiling.
| 4. Drives the production server with autocannon: heartbeats at full speed,
|    heartbeats at a fixed rate, session starts (resumes and fresh ones), and
|    heartbeats against two server processes.
| 5. Prints the figures, writes bench/results.json, and removes everything
|    it created, also after a failure or Ctrl-C.
|
| It is a measurement, not a test: a missed target is reported, and the exit
| code stays 0. `--help` lists the knobs.
*/
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, stripVTControlCharacters } from 'node:util'
import autocannon from 'autocannon'
import type { AutocannonInstance, AutocannonRequest, AutocannonResult } from 'autocannon'
import pg from 'pg'
import { HEARTBEAT_AND_LOG, HEARTBEAT_PARAMETERS } from '../app/services/heartbeat_statements.ts'
import { Redis } from 'ioredis'
import { checkRedis, dropDatabase, ensureDatabase, freePort, PreflightError } from './preflight.ts'
import {
  apiKeyHint,
  generateApiKey,
  generateLicenseKey,
  hashApiKey,
} from '../app/support/license_keys.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const BUILD_DIR = join(ROOT, 'tmp/bench-build')
const RESULTS_FILE = join(ROOT, 'bench/results.json')
const NODE = process.execPath

/** The targets of the requirement, on a 2-core machine. */
const TARGET_RATIO = 0.25
const TARGET_P99_MS = 50

const { values: flags } = parseArgs({
  options: {
    'duration': { type: 'string', default: '10' },
    'warmup': { type: 'string', default: '3' },
    'sessions': { type: 'string', default: '2000' },
    'connections': { type: 'string', default: '50' },
    'rate': { type: 'string', default: '1000' },
    'pgbench-clients': { type: 'string', default: '16' },
    'no-build': { type: 'boolean', default: false },
    'one-process': { type: 'boolean', default: false },
    'help': { type: 'boolean', default: false },
  },
})

if (flags.help) {
  console.log(`Usage: npm run bench -- [options]

  --duration S         seconds per measured run (default 10)
  --warmup S           seconds of warm-up before each kind of run (default 3)
  --sessions N         licenses with a live session, for heartbeats (default 2000)
  --connections N      autocannon connections (default 50)
  --rate N             fixed heartbeat rate for the latency run (default 1000)
  --pgbench-clients N  pgbench clients, -c (default 16; -j 2)
  --no-build           run bin/server.ts with NODE_ENV=production instead of a build
  --one-process        skip the run against two server processes`)
  process.exit(0)
}

function positive(name: string, value: string) {
  const number = Number(value)
  if (!Number.isInteger(number) || number < 1) {
    console.error(`--${name} must be a whole number of at least 1, not "${value}"`)
    process.exit(1)
  }
  return number
}

const settings = {
  duration: positive('duration', flags.duration),
  warmup: positive('warmup', flags.warmup),
  sessions: positive('sessions', flags.sessions),
  connections: positive('connections', flags.connections),
  rate: positive('rate', flags.rate),
  pgbenchClients: positive('pgbench-clients', flags['pgbench-clients']),
}
/** Licenses for fresh starts: more than the fastest start rate seen here can use up. */
const freshLicenses = Math.max(10_000, settings.duration * 3000)

/*
|--------------------------------------------------------------------------
| Clean-up: everything created is undone in reverse order, once, whether
| the run ends normally, fails, or is interrupted.
|--------------------------------------------------------------------------
*/
const cleanups: { label: string; undo: () => Promise<unknown> | unknown }[] = []
const children = new Set<ChildProcess>()
let cleaning: Promise<void> | undefined
let currentLoad: AutocannonInstance | undefined
let interrupted = false

function onCleanup(label: string, undo: () => Promise<unknown> | unknown) {
  cleanups.push({ label, undo })
}

function cleanup() {
  cleaning ??= (async () => {
    currentLoad?.stop()
    for (const { label, undo } of cleanups.reverse()) {
      try {
        await undo()
      } catch (error) {
        console.error(`  clean-up "${label}" failed: ${(error as Error).message}`)
      }
    }
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
  })()
  return cleaning
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, async () => {
    interrupted = true
    console.error(`\n${signal}: stopping and cleaning up…`)
    await cleanup()
    process.exit(130)
  })
}

/*
|--------------------------------------------------------------------------
| Helpers
|--------------------------------------------------------------------------
*/
const started = performance.now()

function step(message: string) {
  const seconds = ((performance.now() - started) / 1000).toFixed(1).padStart(5)
  console.log(`[${seconds}s] ${message}`)
}

/** Runs a command to its end and returns its exit code and output. */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv }) {
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.add(child)
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.once('error', reject)
    child.once('close', (code) => {
      children.delete(child)
      resolve({ code, output: stripVTControlCharacters(output) })
    })
  })
}

function lastLines(text: string, count = 15) {
  return text.trim().split('\n').slice(-count).join('\n')
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

/** Runs `worker` over `items`, at most `limit` at a time. */
async function pool<T, R>(
  items: T[],
  limit: number,
  worker: (item: T, index: number) => Promise<R>
) {
  const results: R[] = new Array(items.length)
  let next = 0
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++
        results[index] = await worker(items[index], index)
      }
    })
  )
  return results
}

/*
|--------------------------------------------------------------------------
| The run's own database, Redis prefix and environment
|--------------------------------------------------------------------------
*/
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

/*
|--------------------------------------------------------------------------
| Production build
|--------------------------------------------------------------------------
*/
type ServerMode = { label: string; cwd: string; serverArgs: string[]; aceArgs: string[] }

const SOURCE_MODE: ServerMode = {
  label: 'bin/server.ts run from source with NODE_ENV=production (no build)',
  cwd: ROOT,
  serverArgs: ['--import', '@poppinss/ts-exec', 'bin/server.ts'],
  aceArgs: ['ace.ts'],
}

const notes: string[] = []

async function build(): Promise<ServerMode> {
  if (flags['no-build']) return SOURCE_MODE
  step('building for production: node ace.ts build (into tmp/bench-build)')
  const { code, output } = await run(
    NODE,
    ['ace.ts', 'build', '--ignore-ts-errors', '--tsconfig', 'bench/tsconfig.build.json'],
    { env: appEnv }
  )
  const tsErrors = output.split('\n').filter((line) => /error TS\d+/.test(line))
  if (tsErrors.length > 0) {
    const note = `tsc reported ${tsErrors.length} error(s); built with --ignore-ts-errors. First: ${tsErrors[0].trim()}`
    notes.push(note)
    console.log(`        note: ${note}`)
  }
  if (code !== 0 || !existsSync(join(BUILD_DIR, 'bin/server.js'))) {
    const note = `ace build failed (exit ${code}); falling back to ${SOURCE_MODE.label}`
    notes.push(note)
    console.log(`        ${note}:\n${lastLines(output)}`)
    return SOURCE_MODE
  }
  // The build has no node_modules of its own: it uses the project's.
  await symlink('../../node_modules', join(BUILD_DIR, 'node_modules'), 'dir')
  onCleanup('remove the build', () => rm(BUILD_DIR, { recursive: true, force: true }))
  return {
    label: 'production build (node tmp/bench-build/bin/server.js)',
    cwd: BUILD_DIR,
    serverArgs: ['bin/server.js'],
    aceArgs: ['ace.js'],
  }
}

/*
|--------------------------------------------------------------------------
| Server processes
|--------------------------------------------------------------------------
*/
type Server = { url: string; stop: () => Promise<void> }

async function startServer(mode: ServerMode): Promise<Server> {
  const port = await freePort()
  const child = spawn(NODE, mode.serverArgs, {
    cwd: mode.cwd,
    env: { ...appEnv, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let output = ''
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000))
  child.stdout!.on('data', keep)
  child.stderr!.on('data', keep)
  const url = `http://127.0.0.1:${port}`

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
    children.delete(child)
  }
  onCleanup(`stop the server on port ${port}`, stop)

  const deadline = Date.now() + 60_000
  while (true) {
    if (child.exitCode !== null) throw new Error(`the server exited:\n${lastLines(output)}`)
    try {
      const response = await fetch(`${url}/health`)
      if (response.ok) break
    } catch {}
    if (Date.now() > deadline) throw new Error(`the server did not come up:\n${lastLines(output)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { url, stop }
}

/*
|--------------------------------------------------------------------------
| Other work on the machine
|--------------------------------------------------------------------------
|
| On a shared machine, a test run elsewhere halves the figures. Each phase
| measures the CPU time that processes outside this run used meanwhile:
| everything but this process and its children, PostgreSQL's own processes
| and the kernel's threads, plus PostgreSQL backends serving other databases.
*/
const CLOCK_TICKS_PER_SECOND = 100

type ProcessTimes = Map<number, { ppid: number; comm: string; ticks: number }>

async function processTimes(): Promise<ProcessTimes> {
  const times: ProcessTimes = new Map()
  const entries = await readdir('/proc').catch(() => [])
  const pids = entries.filter((name) => /^\d+$/.test(name))
  await Promise.all(
    pids.map(async (pid) => {
      try {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
        const close = stat.lastIndexOf(')')
        const fields = stat.slice(close + 2).split(' ')
        times.set(Number(pid), {
          comm: stat.slice(stat.indexOf('(') + 1, close),
          ppid: Number(fields[1]),
          // Its own time and that of the children it has reaped: short-lived
          // processes show up in their parent's figure.
          ticks: fields.slice(11, 15).reduce((sum, value) => sum + Number(value), 0),
        })
      } catch {}
    })
  )
  return times
}

async function otherBackends(client: pg.Client) {
  const { rows } = await client.query(
    `SELECT pid FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND datname IS DISTINCT FROM current_database()`
  )
  return new Set(rows.map((row) => row.pid as number))
}

function isForeign(pid: number, times: ProcessTimes, backends: Set<number>) {
  const entry = times.get(pid)!
  if (entry.comm === 'postgres') return backends.has(pid)
  if (pid === 2 || entry.ppid === 2) return false
  for (let current: number | undefined = pid; current; current = times.get(current)?.ppid) {
    if (current === process.pid) return false
  }
  return true
}

/** Starts counting; the function returned gives other processes' share of the machine, in %. */
async function watchOtherWork(client: pg.Client) {
  if (!existsSync('/proc/stat')) return async () => Number.NaN
  const before = await processTimes()
  const backendsBefore = await otherBackends(client)
  const since = performance.now()
  return async () => {
    const after = await processTimes()
    const backends = new Set([...backendsBefore, ...(await otherBackends(client))])
    let ticks = 0
    for (const [pid, entry] of after) {
      if (!isForeign(pid, after, backends)) continue
      const previous = before.get(pid)
      ticks += Math.max(0, entry.ticks - (previous?.ticks ?? 0))
    }
    const seconds = (performance.now() - since) / 1000
    return round((100 * ticks) / CLOCK_TICKS_PER_SECOND / (seconds * availableParallelism()))
  }
}

/** Above this share of the machine, a phase's figures are flagged as disturbed. */
const OTHER_WORK_LIMIT = 5

/*
|--------------------------------------------------------------------------
| Seeding
|--------------------------------------------------------------------------
*/
type Session = { licenseKey: string; fingerprint: string; token: string }

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

function apiHeaders(apiKey: string) {
  return { 'content-type': 'application/json', 'x-api-key': apiKey }
}

async function startSessions(url: string, apiKey: string, keys: string[]) {
  return pool(keys, settings.connections, async (licenseKey, index): Promise<Session> => {
    const fingerprint = `bench-device-${index}`
    const response = await fetch(`${url}/api/license/session/start`, {
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

/*
|--------------------------------------------------------------------------
| pgbench: the heartbeat statement, alone
|--------------------------------------------------------------------------
*/

/**
 * The statement the heartbeat endpoint runs, from the module the session
 * service takes it from, with its numbered parameters as pgbench variables.
 */
function heartbeatStatement() {
  const sql = HEARTBEAT_PARAMETERS.reduce(
    (text, name, index) => text.replaceAll(`$${index + 1}`, `:${name}`),
    HEARTBEAT_AND_LOG
  )
  return { sql, source: 'app/services/heartbeat_statements.ts' }
}

/**
 * `prepared`: parsed and planned once per connection, the database's ceiling.
 * `extended`: an unnamed statement parsed and planned on every call, which is
 * how knex and Lucid send a query with bindings (the heartbeat itself is prepared).
 */
type PgbenchProtocol = 'prepared' | 'extended'

type PgbenchResult = {
  protocol: PgbenchProtocol
  tps: number
  latencyAverageMs: number
  transactions: number
  failed: number
  clients: number
  threads: number
  rowsLogged: number
  statementSource: string
  otherWorkPercent?: number
}

async function writePgbenchScript(sessions: number) {
  const statement = heartbeatStatement()
  /**
   * A session picked at random, its token hash and license key looked up by
   * primary key (a read, no commit), then the statement with the same
   * bindings the service sends.
   */
  const script = [
    `\\set n random(1, ${sessions})`,
    `SELECT token_hash AS "tokenHash", license_key AS "licenseKey", now() AS now FROM bench_sessions WHERE n = :n \\gset`,
    `${statement.sql.replace(/\s+/g, ' ').trim()};`,
    '',
  ].join('\n')
  const directory = await mkdtemp(join(tmpdir(), 'keyward-bench-'))
  onCleanup('remove the pgbench script', () => rm(directory, { recursive: true, force: true }))
  const file = join(directory, 'heartbeat.sql')
  await writeFile(file, script)
  return { file, source: statement.source }
}

async function runPgbench(
  client: pg.Client,
  script: { file: string; source: string },
  protocol: PgbenchProtocol
): Promise<PgbenchResult> {
  const threads = Math.min(2, settings.pgbenchClients)
  const before = await countHeartbeats(client)
  const { code, output } = await run(
    'pgbench',
    [
      '-n',
      '-M',
      protocol,
      '-f',
      script.file,
      '-c',
      String(settings.pgbenchClients),
      '-j',
      String(threads),
      '-T',
      String(settings.duration),
      '-h',
      databaseUrl.hostname,
      '-p',
      databaseUrl.port || '5432',
      '-U',
      decodeURIComponent(databaseUrl.username || 'postgres'),
      decodeURIComponent(databaseUrl.pathname.slice(1)),
    ],
    {
      env: {
        ...process.env,
        ...(databaseUrl.password ? { PGPASSWORD: decodeURIComponent(databaseUrl.password) } : {}),
      },
    }
  )
  const tps = output.match(/tps = ([\d.]+) \(without initial connection time\)/)?.[1]
  if (code !== 0 || !tps) throw new Error(`pgbench failed (exit ${code}):\n${lastLines(output)}`)
  const rowsLogged = (await countHeartbeats(client)) - before
  const transactions = Number(output.match(/actually processed: (\d+)/)?.[1] ?? 0)
  return {
    protocol,
    tps: Number(tps),
    latencyAverageMs: Number(output.match(/latency average = ([\d.]+) ms/)?.[1] ?? Number.NaN),
    transactions,
    failed: Number(output.match(/number of failed transactions: (\d+)/)?.[1] ?? 0),
    clients: settings.pgbenchClients,
    threads,
    rowsLogged,
    statementSource: script.source,
  }
}

async function countHeartbeats(client: pg.Client) {
  const { rows } = await client.query('SELECT count(*)::int AS count FROM session_heartbeats')
  return rows[0].count as number
}

/*
|--------------------------------------------------------------------------
| autocannon
|--------------------------------------------------------------------------
*/
type Measured = {
  scenario: string
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  requests: number
  non2xx: number
  errors: number
  timeouts: number
  statusCodes: Record<string, number>
  valid: boolean
  remark?: string
  otherWorkPercent?: number
}

/** One POST whose body is the next of `bodies`, round and round. */
function cycling(path: string, apiKey: string, bodies: Buffer[]): AutocannonRequest[] {
  let next = 0
  return [
    {
      method: 'POST',
      path,
      headers: apiHeaders(apiKey),
      setupRequest(request) {
        request.body = bodies[next++ % bodies.length]
        return request
      },
    },
  ]
}

async function load(
  scenario: string,
  urls: string[],
  requests: AutocannonRequest[],
  options: { duration: number; overallRate?: number }
): Promise<Measured> {
  currentLoad = autocannon({
    url: urls.length === 1 ? urls[0] : urls,
    connections: settings.connections,
    pipelining: 1,
    duration: options.duration,
    timeout: 10,
    overallRate: options.overallRate,
    requests,
  })
  const result: AutocannonResult = await currentLoad
  currentLoad = undefined
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([status, { count }]) => [
      status,
      Number(count),
    ])
  )
  return {
    scenario,
    requestsPerSecond: round(result.requests.average, 0),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    valid: result.non2xx === 0 && result.errors === 0 && result.timeouts === 0,
  }
}

function disturbed(measured: { otherWorkPercent?: number }) {
  const share = measured.otherWorkPercent ?? 0
  return share > OTHER_WORK_LIMIT ? `  ← other processes used ${share} % of the machine` : ''
}

function describeLoad(measured: Measured) {
  const codes = Object.entries(measured.statusCodes)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ')
  return `${measured.requestsPerSecond} req/s, p50 ${measured.p50Ms} ms, p99 ${measured.p99Ms} ms (${codes || 'no answers'}${measured.errors ? `, ${measured.errors} errors` : ''})`
}

/*
|--------------------------------------------------------------------------
| The run
|--------------------------------------------------------------------------
*/
async function machine(client: pg.Client) {
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

async function main() {
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
  const probe = await run('pgbench', ['--version'], {}).catch(() => ({ code: 1, output: '' }))
  if (probe.code !== 0)
    throw new Error('pgbench is not installed (apt-get install postgresql-client)')

  const mode = await build()

  step(`creating database ${databaseUrl.pathname.slice(1)}, Redis prefix ${redisPrefix}`)
  await ensureDatabase(databaseUrl.href)
  onCleanup('drop the database', () => dropDatabase(databaseUrl.href))
  onCleanup('delete the Redis keys', async () => {
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

  step('migrating: ace migration:run --force')
  const migration = await run(NODE, [...mode.aceArgs, 'migration:run', '--force'], {
    cwd: mode.cwd,
    env: appEnv,
  })
  if (migration.code !== 0) throw new Error(`migration failed:\n${lastLines(migration.output)}`)

  const client = new pg.Client({ connectionString: databaseUrl.href })
  await client.connect()
  onCleanup('close the database connection', () => client.end())
  const host = await machine(client)

  step(`seeding: 1 API key, ${settings.sessions} + ${freshLicenses} perpetual licenses`)
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
  const sessionKeys = newLicenseKeys(settings.sessions, taken)
  const freshKeys = newLicenseKeys(freshLicenses, taken)
  await insertLicenses(client, product.id, sessionKeys)
  await insertLicenses(client, product.id, freshKeys)

  step(`starting the server: ${mode.label}`)
  const server = await startServer(mode)

  step(`starting ${settings.sessions} sessions through the API`)
  const sessions = await startSessions(server.url, apiKey, sessionKeys)
  await client.query(
    `CREATE TABLE bench_sessions AS
       SELECT row_number() OVER (ORDER BY s.id)::int AS n, s.token_hash, l.key AS license_key
         FROM license_sessions s JOIN licenses l ON l.id = s.license_id`
  )
  await client.query('ALTER TABLE bench_sessions ADD PRIMARY KEY (n)')

  /**
   * Every heartbeat leaves a dead row version and dead index entries behind.
   * Each measured phase starts from the same, vacuumed state, as a server
   * with autovacuum would be (and this machine may have it off).
   */
  const settle = async () => {
    await client.query('VACUUM (ANALYZE) license_sessions, licenses, devices, api_keys')
    await client.query('CHECKPOINT')
  }

  const script = await writePgbenchScript(settings.sessions)
  const pgbenchRuns: PgbenchResult[] = []
  for (const protocol of ['prepared', 'extended'] as const) {
    await settle()
    step(
      `pgbench -M ${protocol}: heartbeat statement, -c ${settings.pgbenchClients} -j 2 -T ${settings.duration}`
    )
    const otherWork = await watchOtherWork(client)
    const measured = await runPgbench(client, script, protocol)
    measured.otherWorkPercent = await otherWork()
    console.log(
      `        ${round(measured.tps, 0)} tps, latency average ${measured.latencyAverageMs} ms, ` +
        `${measured.rowsLogged} heartbeats logged for ${measured.transactions} transactions` +
        disturbed(measured)
    )
    if (measured.rowsLogged !== measured.transactions || measured.failed > 0) {
      notes.push(
        `pgbench -M ${protocol}: ${measured.transactions} transactions but ${measured.rowsLogged} heartbeats logged, ${measured.failed} failed`
      )
    }
    pgbenchRuns.push(measured)
  }
  const [pgbench, pgbenchUnprepared] = pgbenchRuns

  const heartbeatPath = '/api/license/session/heartbeat'
  const startPath = '/api/license/session/start'
  const heartbeatBodies = sessions.map((session) =>
    Buffer.from(JSON.stringify({ session_token: session.token, license_key: session.licenseKey }))
  )
  const resumeBodies = sessions.map((session) =>
    Buffer.from(
      JSON.stringify({
        license_key: session.licenseKey,
        hardware_fingerprint: session.fingerprint,
        version: '1.0.0',
      })
    )
  )
  const freshBodies = freshKeys.map((licenseKey, index) =>
    Buffer.from(
      JSON.stringify({
        license_key: licenseKey,
        hardware_fingerprint: `bench-fresh-${index}`,
        version: '1.0.0',
      })
    )
  )
  const urls = [server.url]
  const duration = settings.duration
  const results: Measured[] = []
  const measure = async (
    scenario: string,
    targetUrls: string[],
    requests: AutocannonRequest[],
    options: { duration: number; overallRate?: number },
    checkLogged = false
  ) => {
    await settle()
    const before = checkLogged ? await countHeartbeats(client) : 0
    const otherWork = await watchOtherWork(client)
    const measured = await load(scenario, targetUrls, requests, options)
    measured.otherWorkPercent = await otherWork()
    if (checkLogged) {
      const logged = (await countHeartbeats(client)) - before
      const ok = measured.statusCodes['200'] ?? 0
      // Requests still in flight when autocannon stops are logged but not counted.
      if (logged < ok || logged > ok + settings.connections) {
        measured.valid = false
        measured.remark = `${ok} answers 200 but ${logged} heartbeats logged`
      }
    }
    console.log(
      `        ${describeLoad(measured)}${measured.valid ? '' : '  ← NOT VALID'}${disturbed(measured)}`
    )
    return measured
  }

  step(`warm-up: heartbeats for ${settings.warmup}s (not counted)`)
  const heartbeats = cycling(heartbeatPath, apiKey, heartbeatBodies)
  await measure('warm-up', urls, heartbeats, { duration: settings.warmup })

  step(`heartbeat at full speed: ${settings.connections} connections, ${duration}s`)
  const heartbeatMax = await measure('heartbeat (max)', urls, heartbeats, { duration }, true)
  results.push(heartbeatMax)

  step(`heartbeat at a fixed ${settings.rate} req/s, ${duration}s`)
  const heartbeatFixed = await measure(
    `heartbeat @ ${settings.rate}/s`,
    urls,
    heartbeats,
    { duration, overallRate: settings.rate },
    true
  )
  results.push(heartbeatFixed)

  const resumes = cycling(startPath, apiKey, resumeBodies)
  step(`warm-up: session starts (resumes) for ${settings.warmup}s (not counted)`)
  await measure('warm-up', urls, resumes, { duration: settings.warmup })
  step(`session start, resuming live sessions (same device): ${duration}s`)
  const startResume = await measure('start (resume)', urls, resumes, { duration })
  if (startResume.statusCodes['201']) {
    startResume.valid = false
    startResume.remark = 'some starts created a session instead of resuming one'
  }
  results.push(startResume)

  step(`session start, fresh sessions (a new license each): ${duration}s`)
  const freshStarts = cycling(startPath, apiKey, freshBodies)
  const startFresh = await measure('start (fresh)', urls, freshStarts, { duration })
  if (startFresh.statusCodes['200']) {
    startFresh.valid = false
    startFresh.remark = `the ${freshLicenses} fresh licenses ran out: some starts were resumes`
  }
  results.push(startFresh)

  if (!flags['one-process']) {
    step('starting a second server process')
    const second = await startServer(mode)
    const both = [server.url, second.url]
    step(`warm-up: heartbeats on both processes for ${settings.warmup}s (not counted)`)
    await measure('warm-up', both, heartbeats, { duration: settings.warmup })
    step(`heartbeat at full speed, two server processes: ${duration}s`)
    results.push(
      await measure('heartbeat (max, 2 processes)', both, heartbeats, { duration }, true)
    )
    await second.stop()
  }

  await report({ mode, host, pgbench, pgbenchUnprepared, results, heartbeatMax, heartbeatFixed })
}

function report(summary: {
  mode: ServerMode
  host: Awaited<ReturnType<typeof machine>>
  pgbench: PgbenchResult
  pgbenchUnprepared: PgbenchResult
  results: Measured[]
  heartbeatMax: Measured
  heartbeatFixed: Measured
}) {
  const { host, pgbench, pgbenchUnprepared, results, heartbeatMax, heartbeatFixed } = summary
  const ratio = heartbeatMax.requestsPerSecond / pgbench.tps
  const ratioUnprepared = heartbeatMax.requestsPerSecond / pgbenchUnprepared.tps
  const ratioPass = heartbeatMax.valid && ratio >= TARGET_RATIO
  const rateReached = heartbeatFixed.requestsPerSecond >= settings.rate * 0.95
  const p99Pass = heartbeatFixed.valid && rateReached && heartbeatFixed.p99Ms <= TARGET_P99_MS

  const line = '─'.repeat(100)
  const row = (cells: (string | number | undefined)[]) =>
    cells
      .map((cell, index) =>
        index === 0 ? String(cell).padEnd(30) : String(cell ?? '–').padStart(10)
      )
      .join('')
  console.log(`\n${line}`)
  console.log(
    `Keyward session API benchmark, ${new Date().toISOString().slice(0, 10)}: ${host.cores} cores (${host.cpu}), ` +
      `Node ${host.node}, PostgreSQL ${host.postgres} (autovacuum ${host.autovacuum})`
  )
  console.log(`server: ${summary.mode.label}; rate limit off, LOG_LEVEL=warn`)
  console.log(
    `autocannon: ${settings.connections} connections, pipelining 1, ${settings.duration}s per run, ` +
      `${settings.sessions} sessions cycled`
  )
  console.log(line)
  console.log(
    row(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'valid', 'other %'])
  )
  for (const measured of results) {
    console.log(
      row([
        measured.scenario,
        measured.requestsPerSecond,
        measured.p50Ms,
        measured.p99Ms,
        measured.non2xx,
        measured.errors + measured.timeouts,
        measured.valid ? 'yes' : 'NO',
        measured.otherWorkPercent,
      ])
    )
    if (measured.remark) console.log(`  ${measured.remark}`)
  }
  for (const measured of [pgbench, pgbenchUnprepared]) {
    console.log(
      row([
        `pgbench -M ${measured.protocol} (-c ${measured.clients})`,
        `${round(measured.tps, 0)} tps`,
        `avg ${measured.latencyAverageMs}`,
        '',
        '',
        measured.failed,
        measured.rowsLogged === measured.transactions ? 'yes' : 'NO',
        measured.otherWorkPercent,
      ])
    )
  }
  console.log(line)
  console.log(
    `heartbeat / pgbench ceiling (-M prepared): ${round(ratio * 100)} %   (target ≥ ${TARGET_RATIO * 100} %)   ${ratioPass ? 'PASS' : 'FAIL'}`
  )
  console.log(
    `heartbeat / pgbench -M extended (unprepared): ${round(ratioUnprepared * 100)} %   (for reference)`
  )
  console.log(
    `heartbeat p99 at ${settings.rate}/s: ${heartbeatFixed.p99Ms} ms at ${heartbeatFixed.requestsPerSecond} req/s   ` +
      `(target ≤ ${TARGET_P99_MS} ms)   ${p99Pass ? 'PASS' : 'FAIL'}`
  )
  const busiest = Math.max(
    ...[...results, pgbench, pgbenchUnprepared].map((measured) => measured.otherWorkPercent ?? 0)
  )
  if (busiest > OTHER_WORK_LIMIT) {
    console.log(
      `note: other processes used up to ${busiest} % of the machine during a run ("other %"): ` +
        'these figures understate the server; run again on a quiet machine.'
    )
  }
  for (const note of notes) console.log(`note: ${note}`)
  if (!ratioPass || !p99Pass) {
    console.log('A target was missed (or a run was not valid). This is a measurement: exit code 0.')
  }
  console.log(line)

  return writeFile(
    RESULTS_FILE,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        command: 'npm run bench',
        machine: host,
        server: summary.mode.label,
        settings,
        pgbench: [pgbench, pgbenchUnprepared],
        results,
        ratio: round(ratio, 4),
        ratioUnprepared: round(ratioUnprepared, 4),
        targets: {
          ratio: { target: TARGET_RATIO, pass: ratioPass },
          p99AtRate: { target: TARGET_P99_MS, rate: settings.rate, pass: p99Pass },
        },
        notes,
      },
      null,
      2
    ) + '\n'
  )
}

try {
  await main()
  step('cleaning up')
  await cleanup()
  step(`done; figures also in bench/results.json`)
} catch (error) {
  if (!interrupted) console.error(`\nbench failed: ${(error as Error).message}`)
  await cleanup()
  process.exitCode = 1
}
