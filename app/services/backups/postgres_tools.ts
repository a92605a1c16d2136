import { spawn } from 'node:child_process'
import type { Readable } from 'node:stream'

/**
 * PostgreSQL's client programs (pg_dump, pg_restore, psql; Debian package
 * `postgresql-client`), pointed at a database through libpq's environment
 * variables: the password travels in PGPASSWORD, never on a command line
 * where `ps` would show it.
 */
export function connectionEnv(databaseUrl: string, database?: string): NodeJS.ProcessEnv {
  const url = new URL(databaseUrl)
  const env: NodeJS.ProcessEnv = {}
  // Only what this URL says: a PG* variable of the caller's shell must not redirect a restore.
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PG')) env[key] = value
  }
  env.PGHOST = url.hostname || '127.0.0.1'
  env.PGPORT = url.port || '5432'
  if (url.username) env.PGUSER = decodeURIComponent(url.username)
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password)
  env.PGDATABASE = database ?? decodeURIComponent(url.pathname.replace(/^\//, ''))
  const sslmode = url.searchParams.get('sslmode')
  if (sslmode) env.PGSSLMODE = sslmode
  env.PGAPPNAME = 'keyward-backup'
  return env
}

export function databaseNameOf(databaseUrl: string) {
  return decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''))
}

/** The last lines of a program's stderr, for a one-line error and the backups row. */
export function tail(text: string, lines = 12, chars = 2000) {
  const kept = text.trim().split('\n').slice(-lines).join('\n')
  return kept.length > chars ? kept.slice(-chars) : kept
}

export class ProgramError extends Error {
  constructor(
    readonly program: string,
    readonly exitCode: number | null,
    readonly stderr: string
  ) {
    super(
      `${program} failed (${exitCode === null ? 'killed' : `exit code ${exitCode}`})` +
        (stderr.trim() ? `: ${tail(stderr, 4, 600)}` : '')
    )
  }
}

export interface RunOptions {
  env: NodeJS.ProcessEnv
  /** Fed to the program's stdin, then stdin is closed. */
  input?: string | Readable
  /** Collect stdout (small outputs only). */
  captureStdout?: boolean
  timeoutMs?: number
}

/**
 * Runs a program to its end. Resolves with its output when it exits 0,
 * rejects with a ProgramError carrying the tail of its stderr otherwise.
 */
export function runProgram(program: string, args: string[], options: RunOptions) {
  return new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(program, args, {
      env: options.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs,
    })
    let stdout = ''
    let stderr = ''
    child.stdout!.setEncoding('utf8')
    child.stderr!.setEncoding('utf8')
    child.stdout!.on('data', (chunk: string) => {
      if (options.captureStdout) stdout += chunk
    })
    child.stderr!.on('data', (chunk: string) => {
      // Bounded: a chatty program must not fill the memory.
      stderr = (stderr + chunk).slice(-20_000)
    })
    child.once('error', (error) => {
      const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
      reject(
        missing
          ? new Error(
              `${program} was not found: install PostgreSQL's client programs (Debian: apt-get install postgresql-client)`
            )
          : error
      )
    })
    child.once('close', (code) => {
      if (code === 0) resolve({ stdout, stderr })
      else reject(new ProgramError(program, code, stderr))
    })
    if (options.input !== undefined) {
      child.stdin!.on('error', () => {})
      if (typeof options.input === 'string') child.stdin!.end(options.input)
      else options.input.pipe(child.stdin!)
    }
  })
}

/** A consistent dump (one snapshot) of the whole database, leaving out the backups' own rows. */
export async function dumpDatabase(databaseUrl: string, outPath: string) {
  await runProgram(
    'pg_dump',
    ['--format=custom', '--exclude-table-data=backups', `--file=${outPath}`],
    { env: connectionEnv(databaseUrl) }
  )
}

/** The schemas a dump creates (besides public, which always exists). */
export async function schemasInDump(dumpPath: string, env: NodeJS.ProcessEnv) {
  const { stdout } = await runProgram('pg_restore', ['--list', dumpPath], {
    env,
    captureStdout: true,
  })
  const schemas = new Set<string>()
  for (const line of stdout.split('\n')) {
    const match = /^\d+; \d+ \d+ SCHEMA - (\S+) /.exec(line)
    if (match) schemas.add(match[1])
  }
  return [...schemas]
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`

/**
 * Replaces the database's content with a dump's, all or nothing: one psql
 * session in a single transaction (ON_ERROR_STOP) that drops the dump's
 * schemas and `public` and loads pg_restore's SQL. The drop waits at most
 * `lockTimeout` for the tables' locks. When pg_restore fails half-way, a
 * statement that raises is sent before psql's input ends, so psql rolls
 * the transaction back instead of committing a partial load.
 */
export async function replaceDatabase(databaseUrl: string, dumpPath: string, lockTimeout: string) {
  const env = connectionEnv(databaseUrl)
  const inDump = await schemasInDump(dumpPath, env)
  const schemas = inDump.filter((schema) => schema !== 'public')
  const preamble = [
    `SET lock_timeout = '${lockTimeout.replaceAll("'", '')}';`,
    ...schemas.map((schema) => `DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE;`),
    'DROP SCHEMA IF EXISTS public CASCADE;',
    'CREATE SCHEMA public;',
    '',
  ].join('\n')

  const psql = spawn(
    'psql',
    ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--single-transaction', '-f', '-'],
    {
      env,
      stdio: ['pipe', 'ignore', 'pipe'],
    }
  )
  let psqlErr = ''
  psql.stderr.setEncoding('utf8')
  psql.stderr.on('data', (chunk: string) => (psqlErr = (psqlErr + chunk).slice(-20_000)))
  psql.stdin.on('error', () => {})
  const psqlDone = new Promise<number | null>((resolve, reject) => {
    psql.once('error', reject)
    psql.once('close', resolve)
  })

  psql.stdin.write(preamble)
  const restore = spawn('pg_restore', ['--no-owner', '--no-privileges', '-f', '-', dumpPath], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let restoreErr = ''
  restore.stderr.setEncoding('utf8')
  restore.stderr.on('data', (chunk: string) => (restoreErr = (restoreErr + chunk).slice(-20_000)))
  restore.stdout.pipe(psql.stdin, { end: false })
  // psql stopped early (an error, the lock timeout): nothing reads pg_restore any more.
  const stopRestore = () => {
    if (restore.exitCode === null) restore.kill()
    restore.stdout.resume()
  }
  psqlDone.then(stopRestore, stopRestore)
  const restoreCode = await new Promise<number | null>((resolve, reject) => {
    restore.once('error', reject)
    restore.once('close', resolve)
  })
  if (restoreCode !== 0) {
    psql.stdin.write(
      "\n;DO $$ BEGIN RAISE EXCEPTION 'keyward: pg_restore failed, rolling back'; END $$;\n"
    )
  }
  psql.stdin.end()
  const psqlCode = await psqlDone
  if (restoreCode !== 0) throw new ProgramError('pg_restore', restoreCode, restoreErr)
  if (psqlCode !== 0) throw new ProgramError('psql', psqlCode, psqlErr)
}

/** Loads a dump into an (empty) database, for a trial restore. */
export async function restoreInto(databaseUrl: string, database: string, dumpPath: string) {
  await runProgram(
    'pg_restore',
    [
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      '--single-transaction',
      '--dbname',
      database,
      dumpPath,
    ],
    { env: connectionEnv(databaseUrl, database) }
  )
}

/** Runs one SQL query with psql and returns its unaligned output. */
export async function queryWithPsql(databaseUrl: string, database: string, sql: string) {
  const { stdout } = await runProgram(
    'psql',
    ['-X', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-f', '-'],
    {
      env: connectionEnv(databaseUrl, database),
      input: sql,
      captureStdout: true,
    }
  )
  return stdout.trim()
}
