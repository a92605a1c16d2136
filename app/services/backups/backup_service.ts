import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import {
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import lock from '@adonisjs/lock/services/main'
import db from '@adonisjs/lucid/services/db'
import { MigrationRunner } from '@adonisjs/lucid/migration'
import * as tar from 'tar'
import type { DateTime } from 'luxon'
import { DomainError } from '#exceptions/domain_error'
import Backup, { type BackupStatus, type BackupTrigger } from '#models/backup'
import AuditTrail from '#services/audit_trail'
import JobScheduler from '#services/job_scheduler'
import { LeaseKeyring, parseKeyring, type KeyringData } from '#services/lease_keyring'
import type { Actor } from '#support/actor'
import { Clock } from '#support/clock'
import { decryptFile, digestFile, encryptFile, readHeader } from './archive_container.js'
import { BackupRefusedError } from './backup_refused_error.js'
import { BackupSettings } from './backup_settings.js'
import {
  ARCHIVE_FILES,
  checkSchemaKnown,
  lastMigrations,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  MANIFEST_FORMAT_VERSION,
  parseManifest,
  PARTS,
  type BackupManifest,
} from './manifest.js'
import {
  dumpDatabase,
  queryWithPsql,
  replaceDatabase,
  restoreInto,
  tail,
} from './postgres_tools.js'
import {
  ARCHIVE_NAME,
  newestFirst,
  archiveName,
  archiveTime,
  isEncryptedName,
  selectForPruning,
  type RetentionSelection,
} from './retention.js'

export { BackupRefusedError } from './backup_refused_error.js'

/** What a listed archive's status is: its row's, or `unrecorded` for a file no row knows (copied in). */
export type BackupEntryStatus = BackupStatus | 'unrecorded'

/** An archive in BACKUP_DIR, joined with its row. */
export interface BackupEntry {
  name: string
  sizeBytes: number
  /** When it was made (from its name). */
  createdAt: DateTime
  encrypted: boolean
  verifiedAt: DateTime | null
  status: BackupEntryStatus
  row: Backup | null
}

export interface CreateOptions {
  trigger: BackupTrigger
  requestedBy?: number | null
  /** A queued row to run (the `backups:create` job's data); absent: a new row. */
  backupId?: number
  onProgress?: (phase: string, percent: number) => void
}

export interface VerifyResult {
  name: string
  ok: boolean
  error: string | null
  tables: number
  database: string
}

export interface RestoreResult {
  name: string
  migrationsRun: string[]
  backupRowsCarried: number
  keyring: 'written' | 'unchanged' | 'env-unchanged' | 'env-differs'
  /** Kids of the archived keyring (what LEASE_KEYRING must hold when it differs). */
  keyringKids: string[]
  pluginsConfig: 'restored' | 'unchanged'
  /** The previous config/plugins.ts, kept when it was replaced. */
  pluginsConfigBackup: string | null
}

export interface PruneResult extends RetentionSelection {
  dryRun: boolean
}

export const BACKUP_LOCK = 'keyward:backups'
const LOCK_TTL = '2m'
const LOCK_EXTEND_MS = 30_000

const UPLOAD_ENV_SECRETS = ['APP_KEY', 'BACKUP_KEY', 'LEASE_KEYRING', 'DATABASE_URL', 'PGPASSWORD']

/**
 * Backups of the whole installation: the database (one consistent pg_dump),
 * the lease keyring and config/plugins.ts, in one archive, encrypted by
 * default (decision 0014). One backup or restore runs at a time across all
 * processes (a lock in Redis); every run is a `backups` row and an audit row.
 */
@inject()
export class BackupService {
  constructor(
    protected clock: Clock,
    protected audit: AuditTrail,
    protected settings: BackupSettings
  ) {}

  protected get config() {
    return this.settings.values
  }

  get dir() {
    return this.config.dir
  }

  /** The path of an archive in BACKUP_DIR; refuses names of another shape and missing files. */
  archivePath(name: string): string {
    if (typeof name !== 'string' || !ARCHIVE_NAME.test(name)) {
      throw new DomainError('backup_not_found', {
        message: `No backup named "${name}" (names look like keyward-20260101T030000Z.kwbackup)`,
        data: { name },
      })
    }
    const path = join(this.dir, name)
    if (!existsSync(path)) {
      throw new DomainError('backup_not_found', {
        message: `No backup named ${name} in ${this.dir}`,
        data: { name },
      })
    }
    return path
  }

  /** The archives in BACKUP_DIR with their rows, newest first. */
  async list(): Promise<BackupEntry[]> {
    let files: string[]
    try {
      files = await readdir(this.dir)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
    const names = files.filter((file) => ARCHIVE_NAME.test(file))
    const rows = names.length > 0 ? await Backup.query().whereIn('name', names) : []
    const byName = new Map(rows.map((row) => [row.name, row]))
    const entries: BackupEntry[] = []
    for (const name of names) {
      let info
      try {
        info = await stat(join(this.dir, name))
      } catch {
        continue // pruned in the meantime
      }
      const row = byName.get(name) ?? null
      entries.push({
        name,
        sizeBytes: info.size,
        createdAt: archiveTime(name)!,
        encrypted: isEncryptedName(name),
        verifiedAt: row?.verifiedAt ?? null,
        status: row?.status ?? 'unrecorded',
        row,
      })
    }
    return entries.sort(newestFirst)
  }

  /**
   * Inserts a `queued` row and enqueues `backups:create` with its id; a job
   * worker runs it (`create({ backupId })`).
   */
  async queue(trigger: BackupTrigger, requestedBy: number | null): Promise<Backup> {
    const row = await Backup.create({ status: 'queued', trigger, requestedBy, progress: 0 })
    try {
      await this.enqueue('backups:create', { backupId: row.id })
    } catch (error) {
      row.merge({
        status: 'failed',
        error: `Could not queue the backup: ${(error as Error).message}`,
        finishedAt: this.clock.now(),
      })
      await row.save()
      throw error
    }
    return row
  }

  /** Enqueues `backups:restore` for a job worker; the name is checked now. */
  async queueRestore(name: string, actor: Actor) {
    this.archivePath(name)
    const actorId = actor.id === undefined || actor.id === null ? null : Number(actor.id)
    await this.enqueue('backups:restore', { name, actorId })
  }

  protected async enqueue(jobName: string, data: Record<string, unknown>) {
    const scheduler = JobScheduler.fromConfig(app)
    try {
      await scheduler.queue.add(jobName, data, {
        removeOnComplete: { count: 200 },
        removeOnFail: { count: 1000 },
        attempts: 1,
      })
    } finally {
      await scheduler.close()
    }
  }

  /**
   * Writes one archive, records it, verifies it (BACKUP_VERIFY), uploads it
   * (BACKUP_UPLOAD_COMMAND) and prunes. Resolves with the row; a failed run
   * is recorded (status failed, error) and rethrown.
   */
  async create(options: CreateOptions): Promise<Backup> {
    const row = await this.rowFor(options)
    if (row.status === 'succeeded' || row.status === 'failed') return row
    try {
      return await this.exclusive(() => this.runCreate(row, options))
    } catch (error) {
      await this.recordFailure(row, error)
      throw error
    }
  }

  protected async rowFor(options: CreateOptions) {
    if (options.backupId !== undefined) {
      const row = await Backup.find(options.backupId)
      if (!row) {
        throw new DomainError('backup_not_found', {
          message: `No queued backup with id ${options.backupId}`,
        })
      }
      return row
    }
    return Backup.create({
      status: 'queued',
      trigger: options.trigger,
      requestedBy: options.requestedBy ?? null,
      progress: 0,
    })
  }

  protected async runCreate(row: Backup, options: CreateOptions) {
    const startedAt = this.clock.now()
    const progress = async (phase: string, percent: number) => {
      row.merge({ phase, progress: percent })
      await row.save()
      options.onProgress?.(phase, percent)
    }
    await this.clearInterrupted(row.id)
    row.merge({ status: 'running', startedAt, error: null })
    await progress('dumping', 5)

    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    const encrypted = this.config.encryption
    row.merge({ name: await this.freeName(startedAt, encrypted), encrypted })
    await row.save()
    const name = row.name!
    const finalPath = join(this.dir, name)
    const partialPath = `${finalPath}.partial`

    const work = await this.workDir()
    try {
      const partsDir = join(work, 'parts')
      await mkdir(partsDir, { mode: 0o700 })
      await dumpDatabase(this.config.databaseUrl, join(partsDir, PARTS.database))

      await progress('collecting', 35)
      const keyring = new LeaseKeyring({
        path: this.config.keyringPath,
        fromEnv: this.config.keyringFromEnv,
      })
      await writeFile(
        join(partsDir, PARTS.keyring),
        JSON.stringify(await keyring.load(), null, 2),
        {
          mode: 0o600,
        }
      )
      await copyFile(this.config.pluginsConfigPath, join(partsDir, PARTS.pluginsConfig))
      const manifest = await this.manifestFor(partsDir, startedAt)
      await writeFile(join(partsDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2), {
        mode: 0o600,
      })

      await progress('packing', 45)
      const tarPath = encrypted ? join(work, 'archive.tar') : partialPath
      await tar.create({ cwd: partsDir, file: tarPath, portable: true }, ARCHIVE_FILES)
      if (encrypted) {
        await progress('encrypting', 60)
        await encryptFile(tarPath, partialPath, this.secrets())
      }
      await chmod(partialPath, 0o600)
      const { sha256, sizeBytes } = await digestFile(partialPath)
      await rename(partialPath, finalPath)
      row.merge({ sha256, sizeBytes })
      await row.save()
    } finally {
      await rm(partialPath, { force: true })
      await rm(work, { recursive: true, force: true })
    }

    if (this.config.verifyAfterCreate) {
      await progress('verifying', 70)
      const verified = await this.verifyUnlocked(name)
      await row.refresh()
      if (!verified.ok) {
        throw new Error(`The archive was written but its trial restore failed: ${verified.error}`)
      }
    }
    if (this.config.uploadCommand) {
      await progress('uploading', 88)
      await this.upload(row, finalPath)
    }

    row.merge({ status: 'succeeded', phase: 'done', progress: 100, finishedAt: this.clock.now() })
    await row.save()
    await row.refresh()
    await this.record(this.actorFor(row), {
      action: 'backup.created',
      subjectType: 'backup',
      subjectId: row.id,
      after: {
        name,
        trigger: row.trigger,
        sizeBytes: row.sizeBytes,
        sha256: row.sha256,
        encrypted,
        verified: row.verifiedAt !== null,
        uploaded: row.uploadedAt !== null,
        uploadError: row.uploadError,
      },
    })
    options.onProgress?.('done', 100)

    try {
      await this.pruneUnlocked({ dryRun: false, actor: this.actorFor(row) })
    } catch (error) {
      logger.warn({ err: error }, 'backup written, but pruning old archives failed')
    }
    return row
  }

  protected async recordFailure(row: Backup, error: unknown) {
    const message = (error as Error)?.message ?? String(error)
    row.merge({ status: 'failed', error: message, finishedAt: this.clock.now() })
    await row.save()
    await this.record(this.actorFor(row), {
      action: 'backup.failed',
      subjectType: 'backup',
      subjectId: row.id,
      after: { name: row.name, trigger: row.trigger, error: message },
    })
    logger.error({ err: error, backup: row.name }, 'backup failed')
  }

  /**
   * Called while holding the lock: no other backup runs, so a row still
   * `running` belongs to a process that died, and a `.partial` file is its
   * leftover. The row is marked failed (so retention does not protect its
   * name forever) and the file removed.
   */
  protected async clearInterrupted(currentId: number) {
    await Backup.query().where('status', 'running').whereNot('id', currentId).update({
      status: 'failed',
      error: 'Interrupted: the process running this backup ended before it finished',
      finished_at: this.clock.now().toJSDate(),
    })
    const files = await readdir(this.dir).catch(() => [] as string[])
    for (const file of files) {
      if (file.endsWith('.partial') && ARCHIVE_NAME.test(file.slice(0, -'.partial'.length))) {
        await rm(join(this.dir, file), { force: true })
      }
    }
  }

  /** The archive's name from the clock, with a sequence number when that second is taken. */
  protected async freeName(at: DateTime, encrypted: boolean) {
    for (let sequence = 1; sequence < 1000; sequence++) {
      const name = archiveName(at, encrypted, sequence)
      const path = join(this.dir, name)
      if (existsSync(path) || existsSync(`${path}.partial`)) continue
      if (await Backup.findBy('name', name)) continue
      return name
    }
    throw new Error('No free archive name in this second')
  }

  protected async manifestFor(partsDir: string, createdAt: DateTime): Promise<BackupManifest> {
    const migrated = await db.from('adonis_schema').select('name')
    const packageJson = JSON.parse(await readFile(app.makePath('package.json'), 'utf8'))
    const parts = []
    for (const path of Object.values(PARTS)) {
      parts.push({ path, ...(await digestFile(join(partsDir, path))) })
    }
    return {
      format: MANIFEST_FORMAT,
      formatVersion: MANIFEST_FORMAT_VERSION,
      appVersion: String(packageJson.version),
      createdAt: createdAt.toUTC().toISO()!,
      migrations: lastMigrations(migrated.map((migration) => String(migration.name))),
      keyringSource: this.config.keyringFromEnv ? 'env' : 'file',
      parts,
    }
  }

  protected secrets() {
    return { backupKey: this.config.backupKey, appKey: this.config.appKey }
  }

  protected workDir() {
    return mkdtemp(join(this.config.tempDir, 'keyward-backup-'))
  }

  /**
   * Runs the upload command with the archive as $1 and $BACKUP_FILE. Its
   * failure is recorded on the row and logged; it never fails the backup.
   */
  protected async upload(row: Backup, path: string) {
    const env: NodeJS.ProcessEnv = { ...process.env, BACKUP_FILE: path }
    for (const secret of UPLOAD_ENV_SECRETS) delete env[secret]
    const outcome = await new Promise<{ code: number | null; stderr: string; error?: Error }>(
      (resolve) => {
        const child = spawn('/bin/sh', ['-c', this.config.uploadCommand!, 'sh', path], {
          env,
          cwd: this.dir,
          stdio: ['ignore', 'ignore', 'pipe'],
          timeout: this.config.uploadTimeoutMs,
        })
        let stderr = ''
        child.stderr.setEncoding('utf8')
        child.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-20_000)))
        child.once('error', (error) => resolve({ code: null, stderr, error }))
        child.once('close', (code) => resolve({ code, stderr }))
      }
    )
    if (outcome.code === 0) {
      row.merge({ uploadedAt: this.clock.now(), uploadError: null })
    } else {
      const why = outcome.error?.message ?? `exit code ${outcome.code ?? 'none (killed)'}`
      const lines = tail(outcome.stderr, 10, 1500)
      row.merge({ uploadError: lines ? `${why}: ${lines}` : why })
      logger.warn({ backup: row.name, uploadError: row.uploadError }, 'backup upload failed')
    }
    await row.save()
  }

  /**
   * Checks an archive (checksums, GCM tag, manifest) and restores it into a
   * scratch database `keyward_verify_<random>`, dropped afterwards whatever
   * happens. Records verified_at or verify_error on its row.
   */
  async verify(name: string, options: { actor?: Actor } = {}): Promise<VerifyResult> {
    this.archivePath(name)
    const result = await this.exclusive(() => this.verifyUnlocked(name))
    const row = await Backup.findBy('name', name)
    await this.record(options.actor ?? { type: 'cli', label: 'ace' }, {
      action: 'backup.verified',
      subjectType: 'backup',
      subjectId: row?.id ?? name,
      after: { name, ok: result.ok, error: result.error, tables: result.tables },
    })
    return result
  }

  protected async verifyUnlocked(name: string): Promise<VerifyResult> {
    const scratch = `keyward_verify_${randomBytes(6).toString('hex')}`
    const work = await this.workDir()
    let tables = 0
    let error: string | null = null
    try {
      const { dir, manifest } = await this.openArchive(name, work)
      await db.rawQuery(`CREATE DATABASE "${scratch}"`)
      try {
        await restoreInto(this.config.databaseUrl, scratch, join(dir, PARTS.database))
        const found = await queryWithPsql(
          this.config.databaseUrl,
          scratch,
          `SELECT count(*) FROM pg_tables WHERE schemaname = 'public';
           SELECT name FROM adonis_schema ORDER BY id;`
        )
        const [count, ...migrations] = found.split('\n')
        tables = Number(count)
        const expected = Object.values(manifest.migrations ?? {})
        const missing = expected.filter((migration) => !migrations.includes(migration))
        if (tables === 0 || missing.length > 0) {
          error = `the restored database lacks ${missing.length > 0 ? missing.join(', ') : 'tables'}`
        }
      } finally {
        await db.rawQuery(`DROP DATABASE IF EXISTS "${scratch}" WITH (FORCE)`)
      }
    } catch (caught) {
      error = (caught as Error).message
    } finally {
      await rm(work, { recursive: true, force: true })
    }
    const row = await Backup.findBy('name', name)
    if (row) {
      row.merge(
        error === null
          ? { verifiedAt: this.clock.now(), verifyError: null }
          : { verifyError: error.slice(0, 4000) }
      )
      await row.save()
    }
    return { name, ok: error === null, error, tables, database: scratch }
  }

  /**
   * Reads an archive into `work` and checks it: Keyward magic or a tar
   * that starts with the manifest, the GCM tag, the manifest's format,
   * every part's SHA-256, and the checksum its row recorded. Refuses with
   * BackupRefusedError; nothing outside `work` is touched.
   */
  protected async openArchive(name: string, work: string) {
    const path = this.archivePath(name)
    const header = await readHeader(path)
    let tarPath = path
    if (header.encrypted) {
      tarPath = join(work, 'archive.tar')
      await decryptFile(name, path, tarPath, this.secrets())
    } else if (!(await startsWithManifestEntry(path))) {
      const what =
        header.raw.subarray(0, 5).toString('latin1') === 'PGDMP' ? ' (a plain pg_dump)' : ''
      throw new BackupRefusedError(
        'backup_not_keyward',
        name,
        `it is not a Keyward backup${what}: no ${'KEYWARDBK1'} header and no manifest`
      )
    }

    const dir = join(work, 'extracted')
    await mkdir(dir, { mode: 0o700 })
    try {
      await tar.extract({
        file: tarPath,
        cwd: dir,
        strict: true,
        filter: (entryPath, entry) =>
          ARCHIVE_FILES.includes(entryPath) && 'type' in entry && entry.type === 'File',
      })
    } catch (error) {
      throw new BackupRefusedError(
        'backup_damaged',
        name,
        `its tar cannot be read (${(error as Error).message}); the file is truncated or was changed`
      )
    }
    const manifestPath = join(dir, MANIFEST_FILE)
    const manifest = parseManifest(
      name,
      existsSync(manifestPath) ? await readFile(manifestPath, 'utf8') : null
    )
    for (const part of manifest.parts) {
      const partPath = join(dir, part.path)
      const actual = existsSync(partPath) ? await digestFile(partPath) : null
      if (!actual || actual.sha256 !== part.sha256 || actual.sizeBytes !== part.sizeBytes) {
        throw new BackupRefusedError(
          'backup_damaged',
          name,
          `its ${part.path} does not match its checksum (the file is truncated or was changed)`
        )
      }
    }
    const row = await Backup.findBy('name', name)
    if (row?.sha256) {
      const { sha256 } = await digestFile(path)
      if (sha256 !== row.sha256) {
        throw new BackupRefusedError(
          'backup_damaged',
          name,
          'its SHA-256 differs from the one recorded when it was written (the file was changed)'
        )
      }
    }
    return { dir, manifest, row }
  }

  /**
   * Replaces the database, the lease keyring and config/plugins.ts with an
   * archive's. Refuses (BackupRefusedError, nothing changed) archives that
   * are damaged, foreign, encrypted with another key or from a newer
   * schema. The database is replaced in one transaction; then pending
   * migrations run, the backups rows of before are put back, the keyring
   * and plugin selection are written, and `backup.restored` is audited.
   */
  async restore(name: string, options: { actor: Actor }): Promise<RestoreResult> {
    this.archivePath(name)
    return this.exclusive(() => this.restoreUnlocked(name, options.actor))
  }

  protected async restoreUnlocked(name: string, actor: Actor): Promise<RestoreResult> {
    const work = await this.workDir()
    try {
      const { dir, manifest } = await this.openArchive(name, work)
      checkSchemaKnown(name, manifest, fileURLToPath(app.appRoot))
      const archivedKeyring = parseKeyring(
        await readFile(join(dir, PARTS.keyring), 'utf8'),
        `${name}/${PARTS.keyring}`
      )

      const history = await db.from('backups').select('*').orderBy('id')
      try {
        await replaceDatabase(
          this.config.databaseUrl,
          join(dir, PARTS.database),
          this.config.restoreLockTimeout
        )
      } catch (error) {
        if (/lock timeout/i.test((error as Error).message)) {
          throw new DomainError('backup_restore_busy', {
            message:
              `Could not lock the tables within ${this.config.restoreLockTimeout}: the application ` +
              'is busy. Nothing was changed; try again, or stop the web processes and job workers first',
          })
        }
        throw new Error(
          `Restoring the database failed, nothing was changed: ${(error as Error).message}`
        )
      }
      // The history is put back even when a migration fails: it must not be lost with it.
      let migrationsRun: string[] = []
      let migrationError: unknown = null
      try {
        migrationsRun = await this.migrate()
      } catch (error) {
        migrationError = error
      }
      const backupRowsCarried = await this.carryOver(history)
      if (migrationError) throw migrationError
      const keyring = await this.restoreKeyring(archivedKeyring)
      const plugins = await this.restorePluginsConfig(join(dir, PARTS.pluginsConfig))

      const result: RestoreResult = {
        name,
        migrationsRun,
        backupRowsCarried,
        keyring,
        keyringKids: archivedKeyring.keys.map((key) => key.kid),
        pluginsConfig: plugins.restored ? 'restored' : 'unchanged',
        pluginsConfigBackup: plugins.previous,
      }
      await this.record(actor, {
        action: 'backup.restored',
        subjectType: 'backup',
        subjectId: name,
        after: {
          name,
          createdAt: manifest.createdAt,
          appVersion: manifest.appVersion,
          migrationsRun,
          keyring,
          pluginsConfig: result.pluginsConfig,
        },
      })
      return result
    } finally {
      await rm(work, { recursive: true, force: true })
    }
  }

  /** Runs pending migrations, as `migration:run` does; the names it ran. */
  protected async migrate() {
    const database = await app.container.make('lucid.db')
    const runner = new MigrationRunner(database, app, { direction: 'up' })
    await runner.run()
    if (runner.error) {
      throw new Error(`The database was restored, but a migration failed: ${runner.error.message}`)
    }
    return Object.keys(runner.migratedFiles)
  }

  /** Puts the backups rows of before the restore back (the archive carries none). */
  protected async carryOver(history: Record<string, unknown>[]) {
    await db.transaction(async (trx) => {
      await trx.from('backups').delete()
      for (let at = 0; at < history.length; at += 500) {
        await trx.table('backups').multiInsert(history.slice(at, at + 500))
      }
      await trx.rawQuery(
        `SELECT setval(pg_get_serial_sequence('backups', 'id'), GREATEST((SELECT max(id) FROM backups), 1))`
      )
    })
    return history.length
  }

  protected async restoreKeyring(archived: KeyringData): Promise<RestoreResult['keyring']> {
    const archivedText = JSON.stringify(archived)
    if (this.config.keyringFromEnv) {
      const current = parseKeyring(
        Buffer.from(this.config.keyringFromEnv, 'base64url').toString('utf8'),
        'LEASE_KEYRING'
      )
      return JSON.stringify(current) === archivedText ? 'env-unchanged' : 'env-differs'
    }
    const path = this.config.keyringPath
    if (existsSync(path)) {
      const current = JSON.stringify(parseKeyring(await readFile(path, 'utf8'), path))
      if (current === archivedText) return 'unchanged'
      await copyFile(path, `${path}.before-restore`)
      await chmod(`${path}.before-restore`, 0o600)
    }
    await writeAtomically(path, JSON.stringify(archived, null, 2) + '\n')
    return 'written'
  }

  protected async restorePluginsConfig(archivedPath: string) {
    const target = this.config.pluginsConfigPath
    const archived = await readFile(archivedPath)
    const current = existsSync(target) ? await readFile(target) : null
    if (current && current.equals(archived)) return { restored: false, previous: null }
    const previous = `${target}.before-restore`
    if (current) await writeFile(previous, current)
    await writeAtomically(target, archived, 0o644)
    return { restored: true, previous: current ? previous : null }
  }

  /**
   * Deletes the archives retention does not keep (BACKUP_KEEP_DAILY,
   * BACKUP_KEEP_WEEKLY), never the newest verified one nor one being
   * written; marks their rows pruned.
   */
  async prune(options: { dryRun?: boolean; actor?: Actor } = {}): Promise<PruneResult> {
    const actor = options.actor ?? { type: 'cli', label: 'ace' }
    if (options.dryRun) return this.pruneUnlocked({ dryRun: true, actor })
    return this.exclusive(() => this.pruneUnlocked({ dryRun: false, actor }))
  }

  protected async pruneUnlocked(options: { dryRun: boolean; actor: Actor }): Promise<PruneResult> {
    const entries = await this.list()
    const running = await Backup.query()
      .whereIn('status', ['queued', 'running'])
      .whereNotNull('name')
    const selection = selectForPruning(
      entries.map((entry) => ({
        name: entry.name,
        createdAt: entry.createdAt,
        verified: entry.verifiedAt !== null,
      })),
      {
        keepDaily: this.config.keepDaily,
        keepWeekly: this.config.keepWeekly,
        timezone: this.config.timezone,
      },
      new Set(running.map((row) => row.name!))
    )
    if (!options.dryRun && selection.prune.length > 0) {
      for (const name of selection.prune) await rm(join(this.dir, name), { force: true })
      await Backup.query()
        .whereIn('name', selection.prune)
        .update({ pruned_at: this.clock.now().toJSDate() })
      await this.record(options.actor, {
        action: 'backup.pruned',
        subjectType: 'backup',
        after: { pruned: selection.prune, kept: selection.keep.map((kept) => kept.name) },
      })
    }
    return { ...selection, dryRun: options.dryRun }
  }

  /**
   * Runs `work` while holding the cluster-wide backups lock (one backup or
   * restore at a time, across processes), extending it while it runs.
   */
  protected async exclusive<T>(work: () => Promise<T>): Promise<T> {
    const held = lock.createLock(BACKUP_LOCK, LOCK_TTL)
    const acquired = await held.acquire({
      retry: { attempts: Number.POSITIVE_INFINITY, delay: 500, timeout: this.config.lockWait },
    })
    if (!acquired) {
      throw new DomainError('backup_busy', {
        message: 'Another backup or restore is running; try again when it has finished',
      })
    }
    const timer = setInterval(() => {
      held
        .extend(LOCK_TTL)
        .catch((error) => logger.warn({ err: error }, 'backup lock not extended'))
    }, LOCK_EXTEND_MS)
    try {
      return await work()
    } finally {
      clearInterval(timer)
      // A lock that expired meanwhile (Redis away too long) is no longer ours to release.
      await held.release().catch((error) => logger.warn({ err: error }, 'backup lock not released'))
    }
  }

  protected actorFor(row: Backup): Actor {
    if (row.trigger === 'panel') return { type: 'admin', id: row.requestedBy, label: null }
    if (row.trigger === 'schedule') return { type: 'system', label: 'backups:create' }
    return { type: 'cli', label: 'ace' }
  }

  protected async record(actor: Actor, entry: Parameters<AuditTrail['record']>[2]) {
    await db.transaction((trx) => this.audit.record(trx, actor, entry))
  }
}

/** True when a file is a tar whose first entry is manifest.json (how Keyward writes them). */
async function startsWithManifestEntry(path: string) {
  const file = await open(path, 'r')
  try {
    const block = Buffer.alloc(512)
    const { bytesRead } = await file.read(block, 0, 512, 0)
    if (bytesRead < 512) return false
    const entryName = block.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '')
    const magic = block.subarray(257, 262).toString('latin1')
    return magic === 'ustar' && entryName === MANIFEST_FILE
  } finally {
    await file.close()
  }
}

/** Writes a file through a temporary one beside it, so no reader sees half of it. */
async function writeAtomically(path: string, content: string | Buffer, mode = 0o600) {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`
  await writeFile(temporary, content, { mode, flag: 'wx' })
  try {
    await rename(temporary, path)
  } catch (error) {
    await unlink(temporary).catch(() => {})
    throw error
  }
}

export default BackupService
