/*
| `npm run bench`: how fast the session API is, next to how fast the database
| alone runs the same heartbeat statement on the same machine.
|
| 1. Builds the app for production (`ace build`, into tmp/bench-build).
| 2. Creates a database and a Redis key prefix of its own, migrates, and
|    seeds an API key and licenses; starts one session per license through
|    the API (bench/setup.ts).
| 3. Runs pgbench against that database with the heartbeat statement of
|    app/services/heartbeat_statements.ts: the database's ceiling.
| 4. Drives the production server with autocannon: heartbeats at full speed,
|    heartbeats at a fixed rate, session starts (resumes and fresh ones),
|    usage records at full speed and at the fixed rate, and heartbeats
|    against two and three server processes (bench/runs.ts). With
|    `--metrics both`, two more servers, metrics on and off, take turns
|    at the heartbeat runs: what the metrics cost.
| 5. Prints the figures, writes bench/results.json (bench/report.ts), and
|    removes everything it created, also after a failure or Ctrl-C
|    (bench/harness.ts).
|
| It is a measurement, not a test: a missed target is reported, and the exit
| code stays 0. `--help` lists the knobs.
*/
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { Harness } from '../bench/harness.ts'
import { report } from '../bench/report.ts'
import { runScenarios } from '../bench/runs.ts'
import { prepare, type Settings } from '../bench/setup.ts'

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
    'metrics': { type: 'string', default: 'on' },
    'security': { type: 'string', default: 'on' },
    'cpu-prof': { type: 'string' },
    'simulate': { type: 'boolean', default: false },
    'history': { type: 'boolean', default: false },
    'help': { type: 'boolean', default: false },
  },
})

if (flags.help) {
  console.log(`Usage: npm run bench -- [options]

  --duration S         seconds per measured run (default 10)
  --warmup S           seconds of warm-up before each kind of run (default 3)
  --sessions N         licenses with a live session, for heartbeats (default 2000)
  --connections N      autocannon connections (default 50)
  --rate N             fixed rate of the latency runs, heartbeats and usage
                       records (default 1000)
  --pgbench-clients N  pgbench clients, -c (default 16; -j 2)
  --no-build           run bin/server.ts with NODE_ENV=production instead of a build
  --one-process        skip the runs against two and three server processes
  --metrics on|off|both  METRICS_ENABLED of the servers (default on); both: two
                       fresh servers, metrics on and off, take turns at the
                       heartbeat runs (a warm-up round, then 4 rounds), and
                       the report compares their medians
  --security on|off|both  SECURITY_EVENTS of the servers (default on); both: the
                       same alternation for security events, plus verifies of
                       unknown keys (refusals the recorder writes)
  --simulate           after the other runs, the 100,000-client simulation: 1 million
                       licenses, 100,000 live sessions, heartbeats at 3,333/s for
                       60 s with the job worker sweeping (adds about 2 minutes)
  --history            after the other runs, 20 million rows of heartbeat log and
                       5 million ended sessions, and heartbeats at full speed again
                       (adds several minutes of seeding)
  --cpu-prof DIR       write a V8 CPU profile of each server process into DIR
                       (open it in Chrome DevTools or speedscope; the profiler
                       itself slows the server: figures of such a run are not
                       comparable)`)
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

for (const option of ['metrics', 'security'] as const) {
  if (!['on', 'off', 'both'].includes(flags[option])) {
    console.error(`--${option} must be on, off or both, not "${flags[option]}"`)
    process.exit(1)
  }
}

const settings: Settings = {
  duration: positive('duration', flags.duration),
  warmup: positive('warmup', flags.warmup),
  sessions: positive('sessions', flags.sessions),
  connections: positive('connections', flags.connections),
  rate: positive('rate', flags.rate),
  pgbenchClients: positive('pgbench-clients', flags['pgbench-clients']),
  metrics: flags.metrics as Settings['metrics'],
  security: flags.security as Settings['security'],
  cpuProfileDir: flags['cpu-prof'] ? resolve(flags['cpu-prof']) : undefined,
  simulate: flags.simulate,
  history: flags.history,
}

const harness = new Harness()
harness.cleanUpOnSignals()

try {
  const prepared = await prepare(harness, settings, { build: !flags['no-build'] })
  const figures = await runScenarios(harness, settings, prepared, {
    twoProcesses: !flags['one-process'],
  })
  await report(harness, settings, prepared, figures)
  harness.step('cleaning up')
  await harness.cleanup()
  harness.step(`done; figures also in bench/results.json`)
} catch (error) {
  if (!harness.interrupted) console.error(`\nbench failed: ${(error as Error).message}`)
  await harness.cleanup()
  process.exitCode = 1
}
