import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import logger from '@adonisjs/core/services/logger'
import lock from '@adonisjs/lock/services/main'
import db from '@adonisjs/lucid/services/db'
import type { DateTime } from 'luxon'
import { DomainError } from '#exceptions/domain_error'
import Backup, { type BackupStatus, type BackupTrigger } from '#models/backup'
import AuditTrail from '#services/audit_trail'
import JobScheduler from '#services/job_scheduler'
import { cliActor, type Actor } from '#support/actor'
import { Clock } from '#support/clock'
import { announce } from '#support/domain_events'
import { openArchive, type OpenedArchive } from './archive_reader.js'
import { ArchiveRestorer, type RestoreResult } from './archive_restorer.js'
import { writeArchive, type WritePhase } from './archive_writer.js'
import { archiveSecrets, BackupSettings, inWorkDir } from './backup_settings.js'
import { uploadArchive } from './offsite_upload.js'
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
export type { RestoreResult } from './archive_restorer.js'

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

export interface PruneResult extends RetentionSelection {
  dryRun: boolean
}

export const BACKUP_LOCK = 'keyward:backups'
const LOCK_TTL = '2m'
const LOCK_EXTEND_MS = 30_000

/** How far a backup run is when it enters each phase (the row's progress, in percent). */
const PROGRESS: Record<'dumping' | WritePhase | 'verifying' | 'uploading', number> = {
  dumping: 5,
  collecting: 35,
  packing: 45,
  encrypting: 60,
  verifying: 70,
  uploading: 88,
}

/**
 * Backups of the whole installation: the database (one consistent pg_dump),
 * the lease keyring and config/plugins.ts, in one archive, encrypted by
 * default (decision 0014). One backup or restore runs at a time across all
 * processes (a lock in Redis); every run is a `backups` row and an audit row.
 */
@inject()
export class BackupService {
  protected restorer: ArchiveRestorer

  constructor(
    protected clock: Clock,
    protected audit: AuditTrail,
    protected settings: BackupSettings
  ) {
    this.restorer = new ArchiveRestorer(settings.values)
  }

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
        messageKey: 'backups.errors.backup_not_found',
        message: `No backup named "${name}" (names look like keyward-20260101T030000Z.kwbackup)`,
        data: { name },
      })
    }
    const path = join(this.dir, name)
    if (!existsSync(path)) {
      throw new DomainError('backup_not_found', {
        messageKey: 'backups.errors.backup_not_found',
        message: `No backup named ${name} in ${this.dir}`,
        data: { name },
      })
    }
    return path
  }

  /** One archive with its row, or undefined when there is no such file (or no such name). */
  async entry(name: string): Promise<BackupEntry | undefined> {
    if (!ARCHIVE_NAME.test(name)) return undefined
    return this.entryFor(name, await Backup.findBy('name', name))
  }

  protected async entryFor(name: string, row: Backup | null): Promise<BackupEntry | undefined> {
    let info
    try {
      info = await stat(join(this.dir, name))
    } catch {
      return undefined // pruned in the meantime
    }
    return {
      name,
      sizeBytes: info.size,
      createdAt: archiveTime(name)!,
      encrypted: isEncryptedName(name),
      verifiedAt: row?.verifiedAt ?? null,
      status: row?.status ?? 'unrecorded',
      row,
    }
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
      const entry = await this.entryFor(name, byName.get(name) ?? null)
      if (entry) entries.push(entry)
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
          messageKey: 'backups.errors.backup_not_found',
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
    const progress = async (phase: keyof typeof PROGRESS) => {
      row.merge({ phase, progress: PROGRESS[phase] })
      await row.save()
      options.onProgress?.(phase, PROGRESS[phase])
    }
    await this.clearInterrupted(row.id)
    row.merge({ status: 'running', startedAt, error: null })
    await progress('dumping')

    await mkdir(this.dir, { recursive: true, mode: 0o700 })
    const encrypted = this.config.encryption
    row.merge({ name: await this.freeName(startedAt, encrypted), encrypted })
    await row.save()
    const name = row.name!
    const path = join(this.dir, name)
    const { sha256, sizeBytes } = await writeArchive(this.config, path, {
      encrypted,
      createdAt: startedAt,
      onPhase: progress,
    })
    row.merge({ sha256, sizeBytes })
    await row.save()

    if (this.config.verifyAfterCreate) {
      await progress('verifying')
      const verified = await this.verifyUnlocked(name)
      await row.refresh()
      if (!verified.ok) {
        throw new Error(`The archive was written but its trial restore failed: ${verified.error}`)
      }
    }
    if (this.config.uploadCommand) {
      await progress('uploading')
      await this.upload(row, path)
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
    announce('backup:failed', { backupId: row.id, reason: message })
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

  /**
   * Runs the upload command (BACKUP_UPLOAD_COMMAND) on the archive. Its
   * failure is recorded on the row and logged; it never fails the backup.
   */
  protected async upload(row: Backup, path: string) {
    const failure = await uploadArchive(path, {
      command: this.config.uploadCommand!,
      cwd: this.dir,
      timeoutMs: this.config.uploadTimeoutMs,
    })
    if (failure === null) {
      row.merge({ uploadedAt: this.clock.now(), uploadError: null })
    } else {
      row.merge({ uploadError: failure })
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
    await this.record(options.actor ?? cliActor(), {
      action: 'backup.verified',
      subjectType: 'backup',
      subjectId: row?.id ?? name,
      after: { name, ok: result.ok, error: result.error, tables: result.tables },
    })
    return result
  }

  protected async verifyUnlocked(name: string): Promise<VerifyResult> {
    const scratch = `keyward_verify_${randomBytes(6).toString('hex')}`
    const { tables, error } = await inWorkDir(this.config, async (work) => {
      try {
        return await this.restorer.trial(await this.open(name, work), scratch)
      } catch (caught) {
        return { tables: 0, error: (caught as Error).message }
      }
    })
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

  /** Reads an archive of BACKUP_DIR into `work` and checks it; refuses with BackupRefusedError. */
  protected open(name: string, work: string): Promise<OpenedArchive> {
    return openArchive(name, this.archivePath(name), work, archiveSecrets(this.config))
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
    return inWorkDir(this.config, async (work) => {
      const archive = await this.open(name, work)
      const result = await this.restorer.apply(archive)
      const { manifest } = archive
      await this.record(actor, {
        action: 'backup.restored',
        subjectType: 'backup',
        subjectId: name,
        after: {
          name,
          createdAt: manifest.createdAt,
          appVersion: manifest.appVersion,
          migrationsRun: result.migrationsRun,
          keyring: result.keyring,
          pluginsConfig: result.pluginsConfig,
        },
      })
      return result
    })
  }

  /**
   * Deletes the archives retention does not keep (BACKUP_KEEP_DAILY,
   * BACKUP_KEEP_WEEKLY), never the newest verified one nor one being
   * written; marks their rows pruned.
   */
  async prune(options: { dryRun?: boolean; actor?: Actor } = {}): Promise<PruneResult> {
    const actor = options.actor ?? cliActor()
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
        keepLast: this.config.keepLast,
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
        messageKey: 'backups.errors.backup_busy',
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
    return cliActor()
  }

  protected async record(actor: Actor, entry: Parameters<AuditTrail['record']>[2]) {
    await db.transaction((trx) => this.audit.record(trx, actor, entry))
  }
}

export default BackupService
