/*
| The measured runs, in order: pgbench running the heartbeat statement alone
| (the database's ceiling), then autocannon against the server: heartbeats at
| full speed, heartbeats at a fixed rate, session starts (resumes and fresh
| ones), usage records at full speed and at the fixed rate, and heartbeats
| against two server processes.
*/
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import autocannon from 'autocannon'
import type { AutocannonRequest, AutocannonResult } from 'autocannon'
import type pg from 'pg'
import { HEARTBEAT_AND_LOG, HEARTBEAT_PARAMETERS } from '../app/services/heartbeat_statements.ts'
import { type Harness, lastLines, round } from './harness.ts'
import {
  simulate,
  SIMULATED_RATE,
  SIMULATED_SECONDS,
  SIMULATION_CONNECTIONS,
  type SimulationFigures,
} from './simulation.ts'
import { seedHistory } from './history.ts'
import { generateLicenseKey } from '../app/support/license_keys.ts'
import { whileWatchingOtherWork } from './other_work.ts'
import { loadLine, pgbenchLine } from './report.ts'
import {
  apiHeaders,
  HEARTBEAT_PATH,
  type Prepared,
  type Settings,
  START_PATH,
  USAGE_PATH,
  VERIFY_PATH,
} from './setup.ts'

/**
 * `prepared`: parsed and planned once per connection, the database's ceiling.
 * `extended`: an unnamed statement parsed and planned on every call, which is
 * how knex and Lucid send a query with bindings (the heartbeat itself is prepared).
 */
type PgbenchProtocol = 'prepared' | 'extended'

export type PgbenchResult = {
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

export type Measured = {
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

export type Figures = {
  pgbench: PgbenchResult
  pgbenchUnprepared: PgbenchResult
  /** The bare UPDATE of a live session by its token, prepared: the ceiling of the smallest write. */
  pgbenchBare: PgbenchResult
  /** The autocannon runs, in the order of the report's table. */
  results: Measured[]
  heartbeatMax: Measured
  heartbeatFixed: Measured
  startResume: Measured
  startFresh: Measured
  /** Fresh starts at START_RATE per second. */
  startFreshFixed: Measured
  /** `POST /api/license/verify` at full speed. */
  verifyMax: Measured
  /** Usage records (`POST /api/license/usage`) at full speed and at the fixed rate. */
  usageMax: Measured
  usageFixed: Measured
  /** With `--metrics both`: the heartbeat runs, alternated on two fresh servers, metrics on and off. */
  metricsOnOff?: MetricsOnOff
  /** With `--security both`: the same, SECURITY_EVENTS on and off, plus verifies of unknown keys. */
  securityOnOff?: MetricsOnOff
  /** With `--simulate`: the 100,000-client simulation. */
  simulation?: SimulationFigures
  /** Heartbeats at full speed against 1, 2 and 3 server processes (1 only with --one-process). */
  byProcesses: { processes: number; requestsPerSecond: number; p99Ms: number }[]
  /** With `--history`: heartbeats at full speed again, over 20 million logged beats and 5 million ended sessions. */
  withHistory?: { heartbeatMax: Measured; seedSeconds: number }
}

type HeartbeatPair = { heartbeatMax: Measured; heartbeatFixed: Measured; extra?: Measured }
export type MetricsOnOff = {
  variable: string
  label: string
  rounds: number
  secondsPerRun: number
  /** Each side's median run: by throughput at full speed, by p99 at the fixed rate. */
  on: HeartbeatPair
  off: HeartbeatPair
  /** Every run, in order: full-speed req/s and p99, fixed-rate p99, per side. */
  everyRun: Record<
    'on' | 'off',
    { maxRequestsPerSecond: number[]; maxP99Ms: number[]; fixedP99Ms: number[] }
  >
}

type Run = { harness: Harness; settings: Settings; prepared: Prepared }

async function countHeartbeats(client: pg.Client) {
  const { rows } = await client.query('SELECT count(*)::int AS count FROM session_heartbeats')
  return rows[0].count as number
}

async function countUsageEvents(client: pg.Client) {
  const { rows } = await client.query('SELECT count(*)::int AS count FROM usage_events')
  return rows[0].count as number
}

/**
 * Every heartbeat leaves a dead row version and dead index entries behind.
 * Each measured phase starts from the same, vacuumed state, as a server
 * with autovacuum would be (and this machine may have it off).
 */
async function settle(client: pg.Client) {
  await client.query(
    'VACUUM (ANALYZE) license_sessions, licenses, devices, api_keys, usage_counters, usage_idempotency_keys'
  )
  await client.query('CHECKPOINT')
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
 * The bare heartbeat `UPDATE` of a live session by its token, nothing else:
 * what PostgreSQL does at most for the smallest write a heartbeat needs.
 */
function bareUpdateStatement() {
  return {
    sql: 'UPDATE license_sessions SET last_heartbeat_at = now() WHERE token_hash = :tokenHash',
    source: 'the bare UPDATE of license_sessions',
  }
}

type PgbenchScript = { file: string; source: string; logs: boolean }

async function writePgbenchScript(
  harness: Harness,
  sessions: number,
  statement: { sql: string; source: string },
  name: string
): Promise<PgbenchScript> {
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
  harness.onCleanup('remove the pgbench script', () =>
    rm(directory, { recursive: true, force: true })
  )
  const file = join(directory, `${name}.sql`)
  await writeFile(file, script)
  return { file, source: statement.source, logs: statement.sql.includes('session_heartbeats') }
}

async function runPgbench(
  { harness, settings, prepared }: Run,
  script: PgbenchScript,
  protocol: PgbenchProtocol
): Promise<PgbenchResult> {
  const { client, databaseUrl } = prepared
  const threads = Math.min(2, settings.pgbenchClients)
  const before = await countHeartbeats(client)
  const { code, output } = await harness.run(
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

/**
 * pgbench: the heartbeat statement with each protocol (`prepared` first),
 * then the bare UPDATE, prepared.
 */
async function measurePgbench(run: Run) {
  const { harness, settings, prepared } = run
  const heartbeat = await writePgbenchScript(
    harness,
    settings.sessions,
    heartbeatStatement(),
    'heartbeat'
  )
  const bare = await writePgbenchScript(harness, settings.sessions, bareUpdateStatement(), 'bare')
  const runs = [
    { script: heartbeat, protocol: 'prepared', what: 'heartbeat statement' },
    { script: heartbeat, protocol: 'extended', what: 'heartbeat statement' },
    { script: bare, protocol: 'prepared', what: 'bare UPDATE of the session' },
  ] as const
  const measured: PgbenchResult[] = []
  for (const { script, protocol, what } of runs) {
    await settle(prepared.client)
    harness.step(
      `pgbench -M ${protocol}: ${what}, -c ${settings.pgbenchClients} -j 2 -T ${settings.duration}`
    )
    const result = await whileWatchingOtherWork(prepared.client, () =>
      runPgbench(run, script, protocol)
    )
    console.log(pgbenchLine(result))
    const expectedLogged = script.logs ? result.transactions : 0
    if (result.rowsLogged !== expectedLogged || result.failed > 0) {
      harness.notes.push(
        `pgbench -M ${protocol}: ${result.transactions} transactions but ${result.rowsLogged} heartbeats logged, ${result.failed} failed`
      )
    }
    measured.push(result)
  }
  return measured
}

/*
|--------------------------------------------------------------------------
| autocannon
|--------------------------------------------------------------------------
*/

/** One POST whose JSON body is made from the next of `items`, round and round. */
function cycling<T>(
  path: string,
  apiKey: string,
  items: T[],
  body: (item: T, index: number) => object
): AutocannonRequest[] {
  const bodies = items.map((item, index) => Buffer.from(JSON.stringify(body(item, index))))
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

type LoadOptions = {
  duration: number
  overallRate?: number
  connections?: number
  /** The one status every answer must have, when it is not a 2xx (refusals on purpose). */
  expectStatus?: string
}

async function load(
  { harness, settings }: Run,
  scenario: string,
  urls: string[],
  requests: AutocannonRequest[],
  options: LoadOptions
): Promise<Measured> {
  const result: AutocannonResult = await harness.drive(
    autocannon({
      url: urls.length === 1 ? urls[0] : urls,
      connections: options.connections ?? settings.connections,
      pipelining: 1,
      duration: options.duration,
      timeout: 10,
      overallRate: options.overallRate,
      requests,
    })
  )
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
    valid:
      result.errors === 0 &&
      result.timeouts === 0 &&
      (options.expectStatus
        ? Object.keys(statusCodes).every((status) => status === options.expectStatus)
        : result.non2xx === 0),
  }
}

/** The fixed rate of the session-start latency run (issue 21: p99 ≤ 50 ms at 200/s). */
export const START_RATE = 200

/** Rows a run's successful answers must have left in the database, one each. */
type LogCheck = { what: string; status: string; count: (client: pg.Client) => Promise<number> }
const HEARTBEATS_LOGGED: LogCheck = { what: 'heartbeats', status: '200', count: countHeartbeats }
const USAGE_EVENTS_LOGGED: LogCheck = {
  what: 'usage events',
  status: '201',
  count: countUsageEvents,
}

/**
 * One autocannon run from a settled database. With `checkLogged`, the
 * heartbeats answered must be the heartbeats logged (or, given a LogCheck,
 * its rows).
 */
async function measure(
  run: Run,
  scenario: string,
  urls: string[],
  requests: AutocannonRequest[],
  options: LoadOptions,
  checkLogged: boolean | LogCheck = false
) {
  const { client } = run.prepared
  const check = checkLogged === true ? HEARTBEATS_LOGGED : checkLogged || null
  await settle(client)
  const before = check ? await check.count(client) : 0
  const measured = await whileWatchingOtherWork(client, () =>
    load(run, scenario, urls, requests, options)
  )
  if (check) {
    const logged = (await check.count(client)) - before
    const ok = measured.statusCodes[check.status] ?? 0
    // Requests still in flight when autocannon stops are logged but not counted.
    if (logged < ok || logged > ok + run.settings.connections) {
      measured.valid = false
      measured.remark = `${ok} answers ${check.status} but ${logged} ${check.what} logged`
    }
  }
  console.log(loadLine(measured))
  return measured
}

/** A run that is not counted, before each kind of run. */
async function warmUp(run: Run, what: string, urls: string[], requests: AutocannonRequest[]) {
  run.harness.step(`warm-up: ${what} for ${run.settings.warmup}s (not counted)`)
  await measure(run, 'warm-up', urls, requests, { duration: run.settings.warmup })
}

/*
|--------------------------------------------------------------------------
| All of them, in order
|--------------------------------------------------------------------------
*/
export async function runScenarios(
  harness: Harness,
  settings: Settings,
  prepared: Prepared,
  options: { twoProcesses: boolean }
): Promise<Figures> {
  const run: Run = { harness, settings, prepared }
  const { apiKey, sessions, freshKeys, server } = prepared
  const { duration, rate } = settings

  const [pgbench, pgbenchUnprepared, pgbenchBare] = await measurePgbench(run)

  const heartbeats = cycling(HEARTBEAT_PATH, apiKey, sessions, (session) => ({
    session_token: session.token,
    license_key: session.licenseKey,
  }))
  const resumes = cycling(START_PATH, apiKey, sessions, (session) => ({
    license_key: session.licenseKey,
    hardware_fingerprint: session.fingerprint,
    version: '1.0.0',
  }))
  const freshStarts = cycling(START_PATH, apiKey, freshKeys, (licenseKey, index) => ({
    license_key: licenseKey,
    hardware_fingerprint: `bench-fresh-${index}`,
    version: '1.0.0',
  }))
  const urls = [server.url]
  const results: Measured[] = []

  await warmUp(run, 'heartbeats', urls, heartbeats)

  harness.step(`heartbeat at full speed: ${settings.connections} connections, ${duration}s`)
  const heartbeatMax = await measure(run, 'heartbeat (max)', urls, heartbeats, { duration }, true)
  results.push(heartbeatMax)

  harness.step(`heartbeat at a fixed ${rate} req/s, ${duration}s`)
  const heartbeatFixed = await measure(
    run,
    `heartbeat @ ${rate}/s`,
    urls,
    heartbeats,
    { duration, overallRate: rate },
    true
  )
  results.push(heartbeatFixed)

  const metricsOnOff =
    settings.metrics === 'both'
      ? await compareOnOff(run, heartbeats, 'METRICS_ENABLED', 'metrics')
      : undefined
  if (metricsOnOff) {
    for (const side of ['on', 'off'] as const) {
      const { heartbeatMax: max, heartbeatFixed: fixed } = metricsOnOff[side]
      results.push(
        { ...max, scenario: `heartbeat (max), metrics ${side}*` },
        { ...fixed, scenario: `heartbeat @ ${rate}/s, metrics ${side}*` }
      )
    }
  }

  const unknownKeys = Array.from({ length: 1000 }, () => generateLicenseKey())
  const securityOnOff =
    settings.security === 'both'
      ? await compareOnOff(run, heartbeats, 'SECURITY_EVENTS', 'security events', {
          scenario: 'verify of unknown keys (404, recorded)',
          requests: cycling(VERIFY_PATH, apiKey, unknownKeys, (licenseKey) => ({
            license_key: licenseKey,
          })),
          status: '404',
        })
      : undefined
  if (securityOnOff) {
    for (const side of ['on', 'off'] as const) {
      const { heartbeatMax: max, heartbeatFixed: fixed, extra } = securityOnOff[side]
      results.push(
        { ...max, scenario: `heartbeat (max), security events ${side}*` },
        { ...fixed, scenario: `heartbeat @ ${rate}/s, security events ${side}*` },
        ...(extra ? [{ ...extra, scenario: `unknown-key verify, security events ${side}*` }] : [])
      )
    }
  }

  await warmUp(run, 'session starts (resumes)', urls, resumes)
  harness.step(`session start, resuming live sessions (same device): ${duration}s`)
  const startResume = await measure(run, 'start (resume)', urls, resumes, { duration })
  if (startResume.statusCodes['201']) {
    startResume.valid = false
    startResume.remark = 'some starts created a session instead of resuming one'
  }
  results.push(startResume)

  harness.step(`session start, fresh sessions (a new license each): ${duration}s`)
  const startFresh = await measure(run, 'start (fresh)', urls, freshStarts, { duration })
  if (startFresh.statusCodes['200']) {
    startFresh.valid = false
    startFresh.remark = `the ${freshKeys.length} fresh licenses ran out: some starts were resumes`
  }
  results.push(startFresh)

  // The same request list: its counter goes on to licenses not started yet.
  harness.step(`session start, fresh, at a fixed ${START_RATE}/s: ${duration}s`)
  const startFreshFixed = await measure(run, `start (fresh) @ ${START_RATE}/s`, urls, freshStarts, {
    duration,
    overallRate: START_RATE,
  })
  if (startFreshFixed.statusCodes['200']) {
    startFreshFixed.valid = false
    startFreshFixed.remark = `the ${freshKeys.length} fresh licenses ran out: some starts were resumes`
  }
  results.push(startFreshFixed)

  const verifies = cycling(VERIFY_PATH, apiKey, sessions, (session) => ({
    license_key: session.licenseKey,
    hardware_fingerprint: session.fingerprint,
  }))
  await warmUp(run, 'verify', urls, verifies)
  harness.step(`verify at full speed: ${settings.connections} connections, ${duration}s`)
  const verifyMax = await measure(run, 'verify (max)', urls, verifies, { duration })
  results.push(verifyMax)

  const { usageMax, usageFixed } = await measureUsage(run, urls)
  results.push(usageMax, usageFixed)

  let withHistory: { heartbeatMax: Measured; seedSeconds: number } | undefined
  if (settings.history) {
    const seedSeconds = await seedHistory(harness, prepared.client)
    await warmUp(run, 'heartbeats with history', urls, heartbeats)
    harness.step(`heartbeat at full speed, with the history: ${duration}s`)
    const measured = await measure(
      run,
      'heartbeat (max), history',
      urls,
      heartbeats,
      { duration },
      true
    )
    results.push(measured)
    withHistory = { heartbeatMax: measured, seedSeconds }
  }

  const simulation = settings.simulate
    ? await simulate(harness, prepared, (requests) =>
        measure(run, 'simulation, 100k clients', urls, requests, {
          duration: SIMULATED_SECONDS,
          overallRate: SIMULATED_RATE,
          connections: SIMULATION_CONNECTIONS,
        })
      )
    : undefined

  // How throughput grows with processes on this machine (one was measured above).
  const byProcesses: { processes: number; requestsPerSecond: number; p99Ms: number }[] = [
    { processes: 1, requestsPerSecond: heartbeatMax.requestsPerSecond, p99Ms: heartbeatMax.p99Ms },
  ]
  if (options.twoProcesses) {
    const others = []
    for (const count of [2, 3]) {
      harness.step(`starting server process ${count}`)
      others.push(await prepared.startServer())
      const all = [server.url, ...others.map((other) => other.url)]
      await warmUp(run, `heartbeats on ${count} processes`, all, heartbeats)
      harness.step(`heartbeat at full speed, ${count} server processes: ${duration}s`)
      const measured = await measure(
        run,
        `heartbeat (max, ${count} processes)`,
        all,
        heartbeats,
        { duration },
        true
      )
      results.push(measured)
      byProcesses.push({
        processes: count,
        requestsPerSecond: measured.requestsPerSecond,
        p99Ms: measured.p99Ms,
      })
    }
    for (const other of others) await other.stop()
  }

  return {
    pgbench,
    pgbenchUnprepared,
    pgbenchBare,
    results,
    heartbeatMax,
    heartbeatFixed,
    startResume,
    startFresh,
    startFreshFixed,
    verifyMax,
    usageMax,
    usageFixed,
    metricsOnOff,
    securityOnOff,
    simulation,
    withHistory,
    byProcesses,
  }
}

/**
 * Usage records of amount 1 against the bench meter, one license after
 * another, each with an idempotency key of its own, as the SDK sends them:
 * the full path (lookup, counter upsert under its row lock, event, key).
 * `run` makes the keys of one autocannon run unique.
 */
function usageRecords(apiKey: string, licenseKeys: string[], meter: string, run: string) {
  let next = 0
  const request: AutocannonRequest = {
    method: 'POST',
    path: USAGE_PATH,
    headers: apiHeaders(apiKey),
    setupRequest(outgoing) {
      const index = next++
      outgoing.body = JSON.stringify({
        license_key: licenseKeys[index % licenseKeys.length],
        meter,
        idempotency_key: `${run}-${index}`,
      })
      return outgoing
    },
  }
  return [request]
}

/** Usage records at full speed and at the fixed rate; every 201 must have logged its event. */
async function measureUsage(run: Run, urls: string[]) {
  const { harness, settings, prepared } = run
  const licenseKeys = prepared.sessions.map((session) => session.licenseKey)
  const records = (label: string) =>
    usageRecords(prepared.apiKey, licenseKeys, prepared.usageMeter, label)

  await warmUp(run, 'usage records', urls, records('warm-up'))
  harness.step(
    `usage record at full speed: ${settings.connections} connections, ${settings.duration}s`
  )
  const usageMax = await measure(
    run,
    'usage record (max)',
    urls,
    records('max'),
    { duration: settings.duration },
    USAGE_EVENTS_LOGGED
  )
  harness.step(`usage record at a fixed ${settings.rate} req/s, ${settings.duration}s`)
  const usageFixed = await measure(
    run,
    `usage record @ ${settings.rate}/s`,
    urls,
    records('fixed'),
    { duration: settings.duration, overallRate: settings.rate },
    USAGE_EVENTS_LOGGED
  )
  return { usageMax, usageFixed }
}

/** Rounds of the metrics on/off comparison: each round runs both servers, one after the other. */
const METRICS_ROUNDS = 4

/** The run of the median throughput (or, for a fixed rate, the median p99) of a list (the lower middle one). */
function median(runs: Measured[], by: (measured: Measured) => number) {
  return [...runs].sort((a, b) => by(a) - by(b))[Math.floor((runs.length - 1) / 2)]
}

/**
 * What a feature switched by an environment variable costs the heartbeat
 * (METRICS_ENABLED, SECURITY_EVENTS). Two fresh server processes of the
 * same build on the same database and sessions, one with the variable
 * true and one with false, are driven in turn, round after round, at full
 * speed and at the fixed rate: on a shared machine the load of other work
 * changes from one minute to the next, and alternating spreads it over
 * both. The rows kept are each side's median run. `extra` adds a third
 * kind of run to each round (the refused requests security events record).
 */
async function compareOnOff(
  run: Run,
  heartbeats: AutocannonRequest[],
  variable: string,
  label: string,
  extra?: { scenario: string; requests: AutocannonRequest[]; status: string }
) {
  const { harness, settings, prepared } = run
  harness.step(`starting two more server processes: ${variable}=true and =false`)
  const off = await prepared.startServer({ [variable]: 'false' })
  const on = await prepared.startServer({ [variable]: 'true' })
  const servers = { on, off }
  const duration = Math.max(1, Math.ceil(settings.duration / 2))
  const runs = {
    on: { max: [] as Measured[], fixed: [] as Measured[], extra: [] as Measured[] },
    off: { max: [] as Measured[], fixed: [] as Measured[], extra: [] as Measured[] },
  }
  // Round 0 warms both up (JIT, pool, prepared statements) and is not counted.
  for (let turn = 0; turn <= METRICS_ROUNDS; turn++) {
    for (const side of turn % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
      const urls = [servers[side].url]
      const stage = turn === 0 ? 'warm-up (not counted)' : `round ${turn}/${METRICS_ROUNDS}`
      harness.step(
        `${stage}, ${label} ${side}: heartbeat at full speed, then at ${settings.rate}/s, ${duration}s each`
      )
      const max = await measure(
        run,
        `heartbeat (max), ${label} ${side}`,
        urls,
        heartbeats,
        { duration },
        true
      )
      const fixed = await measure(
        run,
        `heartbeat @ ${settings.rate}/s, ${label} ${side}`,
        urls,
        heartbeats,
        { duration, overallRate: settings.rate },
        true
      )
      const other = extra
        ? await measure(run, `${extra.scenario}, ${label} ${side}`, urls, extra.requests, {
            duration,
            // Refusals on purpose: valid when every answer is the expected one.
            expectStatus: extra.status,
          })
        : undefined
      if (turn === 0) continue
      runs[side].max.push(max)
      runs[side].fixed.push(fixed)
      if (other) runs[side].extra.push(other)
    }
  }
  await servers.on.stop()
  await servers.off.stop()
  const summary = (side: 'on' | 'off') => ({
    heartbeatMax: median(runs[side].max, (measured) => measured.requestsPerSecond),
    heartbeatFixed: median(runs[side].fixed, (measured) => measured.p99Ms),
    ...(extra ? { extra: median(runs[side].extra, (measured) => measured.requestsPerSecond) } : {}),
  })
  const everyRun = (side: 'on' | 'off') => ({
    maxRequestsPerSecond: runs[side].max.map((measured) => measured.requestsPerSecond),
    maxP99Ms: runs[side].max.map((measured) => measured.p99Ms),
    fixedP99Ms: runs[side].fixed.map((measured) => measured.p99Ms),
  })
  return {
    variable,
    label,
    rounds: METRICS_ROUNDS,
    secondsPerRun: duration,
    on: summary('on'),
    off: summary('off'),
    everyRun: { on: everyRun('on'), off: everyRun('off') },
  }
}
