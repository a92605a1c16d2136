import { randomBytes } from 'node:crypto'
import { readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runAceProcess } from '#tests/support/ace_process'
import { PrivatePostgres, PrivateRedis } from '#tests/support/private_services'
import {
  spawnAppProcess,
  startServerProcess,
  type AppProcess,
  type ServerProcess,
} from '#tests/support/server_process'

export interface LabOptions {
  /** Server and worker settings on top of the lab's. */
  env?: Record<string, string>
}

/**
 * Keyward installed on a private PostgreSQL cluster and a private Redis, as
 * a self-hoster would install it (migrations and data through ace commands,
 * in production mode), for fault tests that stop and kill those services
 * and the app's own processes. Everything listens on 127.0.0.1.
 */
export class FaultLab {
  readonly database = `keyward_faults_${randomBytes(3).toString('hex')}`
  readonly keyring = join(tmpdir(), `keyward-faults-keys-${randomBytes(4).toString('hex')}.json`)
  readonly processes: AppProcess[] = []

  constructor(
    readonly postgres: PrivatePostgres,
    readonly redis: PrivateRedis,
    protected extraEnv: Record<string, string>
  ) {}

  static async start(options: LabOptions = {}) {
    const [postgres, redis] = await Promise.all([PrivatePostgres.start(), PrivateRedis.start()])
    const lab = new FaultLab(postgres, redis, options.env ?? {})
    await postgres.createDatabase(lab.database)
    const migrated = await lab.ace(['migration:run', '--force'])
    if (migrated.exitCode !== 0) throw new Error(`migration:run failed:\n${migrated.output}`)
    return lab
  }

  /** What every process of the lab runs with. */
  get env(): Record<string, string> {
    return {
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: this.postgres.url(this.database),
      REDIS_URL: this.redis.url,
      REDIS_KEY_PREFIX: 'keyward:',
      LEASE_KEYRING_PATH: this.keyring,
      API_RATE_LIMIT: '0',
      ...this.extraEnv,
    }
  }

  ace(argv: string[], env: Record<string, string> = {}) {
    return runAceProcess(argv, { env: { ...this.env, ...env } })
  }

  protected async aceOrFail(argv: string[]) {
    const result = await this.ace(argv)
    if (result.exitCode !== 0) throw new Error(`${argv.join(' ')} failed:\n${result.output}`)
    return result
  }

  /**
   * A product, an API key, licenses and an owner, made with the commands a
   * self-hoster uses.
   */
  async seed(options: { licenses: number; maxDevices?: number; maxSessions?: number }) {
    const slug = `faults-${randomBytes(3).toString('hex')}`
    await this.aceOrFail(['product:create', 'Fault tests', '--slug', slug])
    const created = await this.aceOrFail(['apikey:create', 'fault tests'])
    const apiKey = /^(AF-\S+)$/m.exec(created.stdout)![1]
    const keysFile = join(tmpdir(), `keyward-faults-licenses-${randomBytes(4).toString('hex')}.txt`)
    await this.aceOrFail([
      'license:generate',
      '--product',
      slug,
      '--type',
      'perpetual',
      '--count',
      String(options.licenses),
      '--max-devices',
      String(options.maxDevices ?? 1),
      '--max-sessions',
      String(options.maxSessions ?? 1),
      '--out',
      keysFile,
    ])
    const licenseKeys = (await readFile(keysFile, 'utf8')).split('\n').filter(Boolean)
    await rm(keysFile, { force: true })
    const admin = { email: `owner-${slug}@example.com`, password: 'Fault-tests-pass-1!' }
    await this.aceOrFail([
      'admin:create',
      '--email',
      admin.email,
      '--password',
      admin.password,
      '--role',
      'owner',
      '--no-interactive',
    ])
    return { slug, apiKey, licenseKeys, admin }
  }

  async startServer(env: Record<string, string> = {}): Promise<ServerProcess> {
    const server = await startServerProcess({ ...this.env, ...env })
    this.processes.push(server)
    return server
  }

  startWorker(env: Record<string, string> = {}): AppProcess {
    const worker = spawnAppProcess(['ace.ts', 'jobs:work', '--no-ansi'], { ...this.env, ...env })
    this.processes.push(worker)
    return worker
  }

  /** A query on the lab's database, on a connection of its own. */
  query<Row = any>(text: string, values: unknown[] = []) {
    return this.postgres.withClient(this.database, async (client) => {
      const result = await client.query(text, values)
      return result.rows as Row[]
    })
  }

  async destroy() {
    await Promise.all(this.processes.map((child) => child.kill()))
    await Promise.all([this.postgres.destroy(), this.redis.destroy()])
    await rm(this.keyring, { force: true })
  }
}
