/*
| Test entry point. Every run gets a database and a Redis key prefix of its
| own, so two runs on one machine (or CI beside a developer) never clash.
| The database is created here and dropped when the run ends.
*/
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { prettyPrintError } from '@adonisjs/core'
import { configure, processCLIArgs, run } from '@japa/runner'
import {
  checkRedis,
  dropDatabase,
  ensureDatabase,
  ensureSystemTools,
  freePort,
  PreflightError,
} from './preflight.ts'
import { needsDatabase } from '../tests/support/database_suites.ts'
import { keywardIgnitor } from './ignitor.ts'

const runId = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`
const baseDatabaseUrl = new URL(
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/keyward'
)
baseDatabaseUrl.pathname = `/keyward_test_${runId}`

process.env.NODE_ENV = 'test'
process.env.DATABASE_URL = baseDatabaseUrl.href
process.env.REDIS_KEY_PREFIX = `keyward_test_${runId}:`
// The lease signing keys of this run, created on first use, gone afterwards.
const runFolder = join(tmpdir(), `keyward_test_${runId}`)
process.env.LEASE_KEYRING_PATH = join(runFolder, 'lease_keys.json')
// A worker a test starts knows backups:create: never let it write into the repository's storage/.
process.env.BACKUP_DIR = join(runFolder, 'backups')
process.env.APP_KEY ??= randomBytes(32).toString('base64url')
process.env.HOST = '127.0.0.1'
process.env.PORT = String(await freePort())
process.env.LOG_LEVEL ??= 'silent'
// The rate limit is exercised by its own tests; everything else runs unthrottled.
process.env.API_RATE_LIMIT = '0'
// Every test logs in from 127.0.0.1: the per-address lockout would add up
// across unrelated tests. The per-account lockout keeps its default (5).
process.env.PANEL_LOGIN_MAX_ATTEMPTS_PER_IP ??= '1000'

/**
 * The suites this run asks for: named ones (`node bin/test.ts browser`), or
 * those of the files given with --files, or all of them (null), also when a
 * --files filter does not name a suite's folder (`--files one_device`).
 */
function selectedSuites(argv: string[]): string[] | null {
  const known = ['unit', 'functional', 'browser', 'faults']
  const named = argv.filter((arg) => known.includes(arg))
  if (named.length > 0) return named
  const filesAt = argv.indexOf('--files')
  if (filesAt === -1) return null
  const files = argv.flatMap((arg, at) => (argv[at - 1] === '--files' ? [arg] : []))
  const suiteOf = (file: string) => known.find((suite) => file.includes(`tests/${suite}/`))
  if (files.some((file) => !suiteOf(file))) return null
  return known.filter((suite) => files.some((file) => suiteOf(file) === suite))
}

const suites = selectedSuites(process.argv.slice(2))
/** Unit tests alone never touch PostgreSQL: no database is created for them. */
const withDatabase = needsDatabase(suites)

try {
  if (withDatabase) await ensureDatabase(process.env.DATABASE_URL)
  await checkRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0')
  ensureSystemTools(suites)
} catch (error) {
  if (error instanceof PreflightError) {
    console.error(error.message)
    process.exit(1)
  }
  throw error
}

keywardIgnitor()
  .testRunner()
  .configure(async (app) => {
    const { runnerHooks, ...config } = await import('../tests/bootstrap.js')

    processCLIArgs(process.argv.splice(2))
    configure({
      ...app.rcFile.tests,
      ...config,
      ...{
        setup: runnerHooks.setup,
        teardown: runnerHooks.teardown.concat([
          () => app.terminate(),
          () => (withDatabase ? dropDatabase(baseDatabaseUrl.href) : undefined),
          () => rm(runFolder, { recursive: true, force: true }),
        ]),
      },
    })
  })
  .run(async () => {
    await run()
    // Everything is closed by now. Whatever still holds the process open is a
    // leak that would hang CI without a word: name it and fail instead.
    setTimeout(() => {
      console.error(
        'The tests ended, but these still hold the process open:',
        process.getActiveResourcesInfo()
      )
      process.exit(1)
    }, 30_000).unref()
  })
  .catch(async (error) => {
    // The runner never started (a bad filter, a broken bootstrap): clean up
    // what this run made, and end now instead of waiting on open handles.
    prettyPrintError(error)
    if (withDatabase) await dropDatabase(baseDatabaseUrl.href).catch(() => {})
    await rm(runFolder, { recursive: true, force: true })
    process.exit(1)
  })
