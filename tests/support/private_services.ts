import { execFile, execFileSync, type ChildProcess } from 'node:child_process'
import { chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'
import pg from 'pg'
import {
  checkRedis,
  ensureDatabase,
  freePort,
  pgbouncerPath,
  postgresBinDir,
} from '../../bin/preflight.ts'
import { waitUntil } from './faults.ts'
import { spawnTracked } from './child_processes.ts'

/**
 * Redis and PostgreSQL instances of a test's own, on free loopback ports in
 * temporary folders, for fault tests that stop, kill and restart them. The
 * machine's shared PostgreSQL and Redis are never touched.
 */

const run = promisify(execFile)

/** Whatever is still running when the test process ends is stopped. */
const cleanups = new Set<() => void>()
process.once('exit', () => {
  for (const cleanup of cleanups) cleanup()
})

/**
 * PostgreSQL and PgBouncer refuse to run as root: as root, their folders
 * belong to the `postgres` system user and their programs run as that user.
 */
const asRoot = () => process.getuid?.() === 0

function giveToPostgresUser(paths: string[]) {
  if (!asRoot()) return
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
  for (const path of paths) chownSync(path, uid, gid)
}

function asPostgresUser(path: string, args: string[]): [string, string[]] {
  return asRoot() ? ['runuser', ['-u', 'postgres', '--', path, ...args]] : [path, args]
}

export class PrivateRedis {
  #process?: ChildProcess
  readonly folder = mkdtempSync(join(tmpdir(), 'keyward-redis-'))

  constructor(readonly port: number) {
    cleanups.add(() => {
      this.#process?.kill('SIGKILL')
      rmSync(this.folder, { recursive: true, force: true })
    })
  }

  static async start() {
    const redis = new PrivateRedis(await freePort())
    await redis.start()
    return redis
  }

  get url() {
    return `redis://127.0.0.1:${this.port}/0`
  }

  /** Starts it (again, empty: it keeps nothing on disk, like the machine's). */
  async start() {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '']
    args.push('--appendonly', 'no', '--dir', this.folder, '--loglevel', 'warning')
    this.#process = spawnTracked('redis-server', args, { stdio: 'ignore' })
    await waitUntil(
      `redis-server on ${this.port} answers`,
      () => checkRedis(this.url).then(() => true),
      15_000
    )
  }

  /** A client of its own (no key prefix), for looking at what the app stored. */
  client() {
    const client = new Redis(this.url, { maxRetriesPerRequest: 1 })
    client.on('error', () => {})
    return client
  }

  /** Stops it (SIGTERM, or SIGKILL for a crash) and waits until it is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    const child = this.#process
    if (!child || child.exitCode !== null || child.signalCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill(signal)
    await exited
  }

  async destroy() {
    await this.stop('SIGKILL')
    rmSync(this.folder, { recursive: true, force: true })
  }
}

/**
 * A PostgreSQL cluster from `initdb`, run with `pg_ctl` as the issue's
 * operator would. PostgreSQL refuses to run as root: as root, the cluster
 * belongs to the `postgres` system user and its programs run as that user.
 */
export class PrivatePostgres {
  readonly folder = mkdtempSync(join(tmpdir(), 'keyward-pg-'))
  readonly dataDir = join(this.folder, 'data')
  readonly bin: string

  constructor(readonly port: number) {
    const bin = postgresBinDir()
    if (!bin) throw new Error('PostgreSQL server programs (initdb, pg_ctl) are not installed')
    this.bin = bin
    giveToPostgresUser([this.folder])
    cleanups.add(() => {
      try {
        execFileSync(...this.command('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'immediate']), {
          stdio: 'ignore',
        })
      } catch {}
      rmSync(this.folder, { recursive: true, force: true })
    })
  }

  static async start() {
    const postgres = new PrivatePostgres(await freePort())
    await postgres.pg(
      'initdb',
      ['-D', postgres.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
      120_000
    )
    await postgres.start()
    return postgres
  }

  /** A program of PostgreSQL's, as the postgres user when this process is root. */
  protected command(program: string, args: string[]): [string, string[]] {
    return asPostgresUser(join(this.bin, program), args)
  }

  protected async pg(program: string, args: string[], timeoutMs = 60_000) {
    const [command, argv] = this.command(program, args)
    try {
      await run(command, argv, { cwd: this.folder, timeout: timeoutMs })
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string }
      throw new Error(`${program} ${args.join(' ')} failed: ${stderr || stdout || error}`)
    }
  }

  protected serverOptions() {
    return [
      `-p ${this.port}`,
      `-k ${this.folder}`,
      '-c listen_addresses=127.0.0.1',
      '-c fsync=off',
      '-c synchronous_commit=off',
      '-c full_page_writes=off',
      '-c max_connections=200',
    ].join(' ')
  }

  url(database = 'postgres') {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`
  }

  /** pg_ctl's options for a server that starts (or restarts): waits until it accepts connections. */
  protected startOptions() {
    return [
      '-D',
      this.dataDir,
      '-w',
      '-l',
      join(this.folder, 'server.log'),
      '-o',
      this.serverOptions(),
    ]
  }

  async start() {
    await this.pg('pg_ctl', ['start', ...this.startOptions()])
  }

  /** `pg_ctl stop`; `fast` ends every connection, as a restart by an operator does. */
  async stop(mode: 'fast' | 'immediate' | 'smart' = 'fast') {
    await this.pg('pg_ctl', ['stop', '-D', this.dataDir, '-w', '-m', mode])
  }

  async restart(mode: 'fast' | 'immediate' = 'fast') {
    await this.pg('pg_ctl', ['restart', '-m', mode, ...this.startOptions()])
  }

  async createDatabase(name: string) {
    await ensureDatabase(this.url(name))
  }

  /** Runs `callback` with a client of the database; the client is closed afterwards. */
  async withClient<T>(database: string, callback: (client: pg.Client) => Promise<T>) {
    const client = new pg.Client({ connectionString: this.url(database) })
    await client.connect()
    try {
      return await callback(client)
    } finally {
      await client.end()
    }
  }

  async destroy() {
    try {
      await this.stop('immediate')
    } catch {}
    rmSync(this.folder, { recursive: true, force: true })
  }
}

/**
 * A PgBouncer of a test's own in front of the machine's PostgreSQL, in
 * transaction mode with a small server pool, as a scaled-out install would
 * run it. PgBouncer refuses to run as root: as root it runs as `postgres`.
 */
export class PrivatePgBouncer {
  #process?: ChildProcess
  readonly folder = mkdtempSync(join(tmpdir(), 'keyward-pgbouncer-'))

  constructor(
    readonly port: number,
    readonly upstream: URL
  ) {
    cleanups.add(() => {
      this.#process?.kill('SIGKILL')
      rmSync(this.folder, { recursive: true, force: true })
    })
  }

  static async start(upstream: string, options: { poolSize?: number } = {}) {
    const bouncer = new PrivatePgBouncer(await freePort(), new URL(upstream))
    await bouncer.start(options.poolSize ?? 3)
    return bouncer
  }

  /** The same database, through the bouncer. */
  get url() {
    const url = new URL(this.upstream.href)
    url.hostname = '127.0.0.1'
    url.port = String(this.port)
    return url.href
  }

  protected async start(poolSize: number) {
    const path = pgbouncerPath()
    if (!path) throw new Error('pgbouncer is not installed (apt-get install pgbouncer)')
    const user = decodeURIComponent(this.upstream.username || 'postgres')
    const config = join(this.folder, 'pgbouncer.ini')
    writeFileSync(join(this.folder, 'users.txt'), `"${user}" ""\n`)
    writeFileSync(
      config,
      [
        '[databases]',
        `* = host=${this.upstream.hostname} port=${this.upstream.port || 5432}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${this.port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${join(this.folder, 'users.txt')}`,
        'pool_mode = transaction',
        `default_pool_size = ${poolSize}`,
        'max_client_conn = 500',
        'ignore_startup_parameters = extra_float_digits,options',
        `logfile = ${join(this.folder, 'pgbouncer.log')}`,
        `pidfile = ${join(this.folder, 'pgbouncer.pid')}`,
        '',
      ].join('\n')
    )
    giveToPostgresUser(['', 'pgbouncer.ini', 'users.txt'].map((file) => join(this.folder, file)))
    const [command, args] = asPostgresUser(path, [config])
    this.#process = spawnTracked(command, args, { stdio: 'ignore' })
    await waitUntil(
      `pgbouncer on ${this.port} answers`,
      async () => {
        const client = new pg.Client({ connectionString: this.url })
        try {
          await client.connect()
          await client.query('SELECT 1')
          return true
        } finally {
          await client.end().catch(() => {})
        }
      },
      15_000
    )
  }

  async destroy() {
    const child = this.#process
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    }
    rmSync(this.folder, { recursive: true, force: true })
  }
}
