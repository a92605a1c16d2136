import { inject } from '@adonisjs/core'
import lock from '@adonisjs/lock/services/main'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { DomainError } from '#exceptions/domain_error'
import type AdminUser from '#models/admin_user'
import Backup from '#models/backup'
import AuditTrail from '#services/audit_trail'
import { BACKUP_LOCK, BackupService } from '#services/backups/backup_service'
import PanelLoginService from '#services/panel_login_service'
import QueueDepth from '#services/queue_depth'
import type { Actor } from '#support/actor'

/** A restore the panel queued that a job worker has not finished yet. */
export interface PendingRestore {
  name: string
  state: 'queued' | 'running'
  requestedAt: DateTime
}

/** What is queued or running now. */
export interface BackupActivity {
  /** Attempts whose row says queued or running, oldest first (with phase and progress). */
  backups: Backup[]
  restores: PendingRestore[]
  /**
   * True while a backup or restore job waits for a worker or runs, or while
   * one holds the engine's lock (`node ace.ts backup:create` runs without a
   * job). A row left `queued` or `running` by a worker that died does not
   * count: nothing is going to move it.
   */
  busy: boolean
}

/** Why a restore was refused, as `backup.restore_refused` records it. */
export type RestoreRefusal =
  'confirmation_mismatch' | 'wrong_password' | 'wrong_code' | 'locked_out'

const REQUEST_LOCK = 'keyward:backups:requests'
const BACKUP_JOBS = new Set(['backups:create', 'backups:restore'])

/**
 * The panel's requests to the backups engine: "back up now" and "restore
 * this archive". Both are refused while a backup or a restore is queued or
 * running (checked and queued under one lock, so two clicks cannot both
 * pass); a restore also needs the owner to prove it is them (their password,
 * or a fresh two-factor code) and to type the archive's name. Each request
 * and each refused restore is audited; the job worker does the work.
 */
@inject()
export default class BackupRequests {
  constructor(
    protected backups: BackupService,
    protected logins: PanelLoginService,
    protected audit: AuditTrail,
    protected queue: QueueDepth
  ) {}

  /** The backups and restores queued or running. */
  async activity(): Promise<BackupActivity> {
    const [backups, jobs, engineLocked] = await Promise.all([
      Backup.query().whereIn('status', ['queued', 'running']).orderBy('id'),
      this.pendingJobs(),
      lock.createLock(BACKUP_LOCK).isLocked(),
    ])
    const restores = jobs
      .filter((job) => job.name === 'backups:restore')
      .map((job) => ({
        name: String((job.data as { name?: unknown })?.name ?? ''),
        state: job.state,
        requestedAt: DateTime.fromMillis(job.timestamp, { zone: 'utc' }),
      }))
    return { backups, restores, busy: engineLocked || jobs.length > 0 }
  }

  /**
   * The backup and restore jobs waiting for a worker or being run by one.
   * The delayed job of the backup schedule (the next nightly run) is not
   * one of them.
   */
  protected async pendingJobs() {
    // Through the process's one queue reader: the page polls this every 2 s.
    const [active, waiting] = await Promise.all([
      this.queue.jobs(['active']),
      this.queue.jobs(['waiting', 'prioritized']),
    ])
    return [
      ...active.map((job) => ({ job, state: 'running' as const })),
      ...waiting.map((job) => ({ job, state: 'queued' as const })),
    ]
      .filter(({ job }) => job && BACKUP_JOBS.has(job.name))
      .map(({ job, state }) => ({
        name: job.name,
        data: job.data,
        timestamp: job.timestamp,
        state,
      }))
      .sort((a, b) => a.timestamp - b.timestamp)
  }

  /**
   * Queues a backup for the job worker (`backups:create`) and audits
   * `backup.requested`. Refuses with `backup_in_progress` while another
   * backup or a restore is queued or running.
   */
  async requestBackup(admin: AdminUser, actor: Actor): Promise<Backup> {
    return this.whileIdle(async () => {
      const row = await this.backups.queue('panel', admin.id)
      await this.record(actor, {
        action: 'backup.requested',
        subjectType: 'backup',
        subjectId: row.id,
        after: { trigger: 'panel' },
      })
      return row
    })
  }

  /**
   * Queues the restore of `name` (`backups:restore`; the job writes
   * `backup.restored` once the archive's audit log is in place) after
   * checking, in this order: the typed confirmation is the archive's name;
   * the owner's password, or their current two-factor code when they have
   * two-factor (a wrong one counts as a failed login, so it can lock them
   * out like one); nothing else is queued or running. A refused check is
   * audited (`backup.restore_refused`) and queues nothing.
   *
   * @returns null when queued, else why it was refused (the controller
   * says so beside the field); a busy engine or an unknown archive throws
   * a DomainError, a lockout `login_locked`.
   */
  async requestRestore(
    admin: AdminUser,
    input: { name: string; confirmation: string; secret: string; ip: string },
    actor: Actor
  ): Promise<RestoreRefusal | null> {
    this.backups.archivePath(input.name)
    if (input.confirmation.trim() !== input.name) {
      await this.refused(actor, input.name, 'confirmation_mismatch')
      return 'confirmation_mismatch'
    }
    let proven: Awaited<ReturnType<PanelLoginService['reauthenticate']>>
    try {
      proven = await this.logins.reauthenticate(admin, input.secret, input.ip)
    } catch (error) {
      if (DomainError.is(error, 'login_locked')) await this.refused(actor, input.name, 'locked_out')
      throw error
    }
    if (!proven) {
      const why = admin.twoFactorEnabled ? 'wrong_code' : 'wrong_password'
      await this.refused(actor, input.name, why)
      return why
    }
    await this.whileIdle(async () => {
      await this.backups.queueRestore(input.name, actor)
      await this.record(actor, {
        action: 'backup.restore_requested',
        subjectType: 'backup',
        subjectId: input.name,
        after: { name: input.name, reauthenticated_with: proven },
      })
    })
    return null
  }

  protected async refused(actor: Actor, name: string, reason: RestoreRefusal) {
    await this.record(actor, {
      action: 'backup.restore_refused',
      subjectType: 'backup',
      subjectId: name,
      after: { name, reason },
    })
  }

  /** Runs `work` only while nothing is queued or running, under a lock shared by all processes. */
  protected async whileIdle<T>(work: () => Promise<T>): Promise<T> {
    const held = lock.createLock(REQUEST_LOCK, '30s')
    const acquired = await held.acquire({ retry: { attempts: 20, delay: 250 } })
    if (!acquired) throw inProgress()
    try {
      const { busy } = await this.activity()
      if (busy) throw inProgress()
      return await work()
    } finally {
      await held.release()
    }
  }

  protected async record(actor: Actor, entry: Parameters<AuditTrail['record']>[2]) {
    await db.transaction((trx) => this.audit.record(trx, actor, entry))
  }
}

function inProgress() {
  return new DomainError('backup_in_progress', {
    messageKey: 'backups.errors.backup_in_progress',
    message: 'A backup or a restore is already queued or running',
  })
}
