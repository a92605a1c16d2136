/*
| `npm start`: the production server. It runs the compiled build (build/,
| from `node ace.ts build`), not the TypeScript sources through a loader,
| and builds it first when it is missing or older than the sources.
| WEB_CONCURRENCY server processes (default 1) share the port through
| node:cluster; one that dies is replaced, unless they keep dying at once.
| SIGTERM or Ctrl-C stop them all the graceful way. The job worker is a
| process of its own (`node build/ace.js jobs:work`), see the README.
| Node runs this file directly (erasable TypeScript only).
*/
import cluster, { type Worker } from 'node:cluster'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const appRoot = fileURLToPath(new URL('../', import.meta.url))
const buildDir = join(appRoot, 'build')
const entry = join(buildDir, 'bin/server.js')
/** What the build is made of: a file here newer than the build means it is stale. */
const SOURCES = [
  'adonisrc.ts',
  'package.json',
  'app',
  'bin',
  'config',
  'database',
  'plugins',
  'providers',
  'resources',
  'start',
  'types',
  '.adonisjs',
]
/** How long a worker gets to stop cleanly before it is killed. */
const STOP_GRACE_MS = 15_000
/** Workers dying this soon after their start, this many times in a row, stop everything. */
const EARLY_DEATH_MS = 10_000
const EARLY_DEATHS_ALLOWED = 3

function newestSourceTime() {
  let newest = 0
  for (const source of SOURCES) {
    const path = join(appRoot, source)
    if (!existsSync(path)) continue
    const stat = statSync(path)
    if (stat.isFile()) {
      newest = Math.max(newest, stat.mtimeMs)
      continue
    }
    for (const file of readdirSync(path, { recursive: true, withFileTypes: true })) {
      if (file.isFile())
        newest = Math.max(newest, statSync(join(file.parentPath, file.name)).mtimeMs)
    }
  }
  return newest
}

function ensureBuild() {
  const built = existsSync(entry) ? statSync(entry).mtimeMs : 0
  if (built > newestSourceTime()) return
  console.log(
    built === 0
      ? '[start] no production build yet: building it (node ace.ts build)'
      : '[start] the sources changed since the last build: building again (node ace.ts build)'
  )
  const result = spawnSync(process.execPath, ['ace.ts', 'build'], {
    cwd: appRoot,
    stdio: 'inherit',
  })
  if (result.status !== 0 || !existsSync(entry)) {
    console.error('[start] the build failed; nothing was started')
    process.exit(1)
  }
}

/** The build has no .env of its own: the settings of the project's .env go to the workers. */
function loadDotEnv() {
  const file = join(appRoot, '.env')
  if (existsSync(file)) process.loadEnvFile(file)
}

function concurrency() {
  const value = process.env.WEB_CONCURRENCY ?? '1'
  const count = Number(value)
  if (!Number.isInteger(count) || count < 1) {
    console.error(`[start] WEB_CONCURRENCY must be a whole number of at least 1, not "${value}"`)
    process.exit(1)
  }
  return count
}

ensureBuild()
loadDotEnv()
const workers = concurrency()
cluster.setupPrimary({
  exec: fileURLToPath(new URL('./start_worker.ts', import.meta.url)),
  cwd: buildDir,
})
process.env.KEYWARD_SERVER_ENTRY = entry

let stopping = false
let earlyDeaths = 0
const startedAt = new Map<Worker, number>()

function fork() {
  const worker = cluster.fork()
  startedAt.set(worker, Date.now())
}

function stopAll(exitCode: number) {
  if (stopping) return
  stopping = true
  process.exitCode = exitCode
  for (const worker of Object.values(cluster.workers ?? {})) {
    if (!worker) continue
    // SIGTERM makes the app terminate; without its IPC channel the worker then exits.
    worker.process.kill('SIGTERM')
    worker.disconnect()
  }
  setTimeout(() => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGKILL')
  }, STOP_GRACE_MS).unref()
}

cluster.on('exit', (worker, code, signal) => {
  const lived = Date.now() - (startedAt.get(worker) ?? 0)
  startedAt.delete(worker)
  if (stopping) {
    if (startedAt.size === 0) process.exit()
    return
  }
  earlyDeaths = lived < EARLY_DEATH_MS ? earlyDeaths + 1 : 0
  if (earlyDeaths >= EARLY_DEATHS_ALLOWED) {
    console.error(
      `[start] server processes keep exiting at once (last: ${signal ?? `code ${code}`}); stopping`
    )
    stopAll(1)
    return
  }
  console.error(`[start] a server process exited (${signal ?? `code ${code}`}); starting another`)
  fork()
})

for (let index = 0; index < workers; index++) fork()
if (workers > 1) console.log(`[start] ${workers} server processes share the port`)

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => stopAll(0))
}
