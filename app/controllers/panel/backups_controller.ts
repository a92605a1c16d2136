import { inject } from '@adonisjs/core'
import { Exception } from '@adonisjs/core/exceptions'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import db from '@adonisjs/lucid/services/db'
import { DomainError } from '#exceptions/domain_error'
import Backup from '#models/backup'
import AuditTrail from '#services/audit_trail'
import BackupHealth from '#services/backup_health'
import BackupRequests, { type BackupActivity } from '#services/backup_requests'
import { BackupService, type BackupEntry } from '#services/backups/backup_service'
import WorkerPresence from '#services/worker_presence'
import { adminActor } from '#support/actor'
import { Clock } from '#support/clock'
import { formatBytes } from '#support/formatting'
import { redirectWithRefusal } from '#support/panel_refusals'
import { restoreWithCodeValidator, restoreWithPasswordValidator } from '#validators/backup'

/** How many failed attempts the page lists. */
const FAILED_SHOWN = 10

/**
 * The owner's backups page (every route carries the `owner` middleware):
 * the archives in BACKUP_DIR, what is queued or running (polled as JSON
 * while something is), failed attempts, downloads, "back up now", and the
 * restore of an archive after re-authentication. The work itself is the
 * job worker's (`node ace.ts jobs:work`).
 */
@inject()
export default class BackupsController {
  constructor(
    protected backups: BackupService,
    protected requests: BackupRequests,
    protected health: BackupHealth,
    protected presence: WorkerPresence,
    protected audit: AuditTrail,
    protected clock: Clock
  ) {}

  async index({ view, i18n }: HttpContext) {
    const [entries, activity, worker, failed, lastRuns] = await Promise.all([
      this.backups.list(),
      this.requests.activity(),
      this.health.worker(),
      Backup.query().where('status', 'failed').orderBy('id', 'desc').limit(FAILED_SHOWN),
      this.presence.lastRuns(),
    ])
    const lastRestore = lastRuns.find((run) => run.job === 'backups:restore') ?? null
    return view.render('pages/backups/index', {
      archives: entries.map((entry) => this.archiveView(entry, i18n)),
      activity: this.activityView(activity, (key) => i18n.t(key)),
      worker,
      failed,
      restoreFailure: lastRestore?.outcome === 'failed' ? lastRestore : null,
      backupDir: this.backups.dir,
    })
  }

  /** What is queued or running, for the page's poll every 2 s. */
  async status({ response, i18n }: HttpContext) {
    const activity = await this.requests.activity()
    response.header('Cache-Control', 'no-store')
    return this.activityView(activity, (key) => i18n.t(key))
  }

  async store(ctx: HttpContext) {
    const admin = ctx.auth.getUserOrFail()
    try {
      await this.requests.requestBackup(admin, adminActor(ctx))
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.backups.index'))
    }
    ctx.session.flash('success', ctx.i18n.t('backups.queued'))
    return ctx.response.redirect().toRoute('admin.backups.index')
  }

  async download(ctx: HttpContext) {
    const name = String(ctx.params.name)
    const path = this.pathOf(name)
    const entry = await this.backups.entry(name)
    await db.transaction((trx) =>
      this.audit.record(trx, adminActor(ctx), {
        action: 'backup.downloaded',
        subjectType: 'backup',
        subjectId: entry?.row?.id ?? name,
        after: { name, sizeBytes: entry?.sizeBytes ?? null },
      })
    )
    ctx.response.header('Content-Type', 'application/octet-stream')
    ctx.response.header('Cache-Control', 'no-store')
    ctx.response.attachment(path, name)
  }

  /** The restore form: what a restore does, and the checks it asks for. */
  async confirmRestore({ view, params, i18n }: HttpContext) {
    const name = String(params.name)
    this.pathOf(name)
    const entry = await this.backups.entry(name)
    if (!entry) throw notFound(name)
    return view.render('pages/backups/restore', {
      archive: this.archiveView(entry, i18n),
    })
  }

  async restore(ctx: HttpContext) {
    const { request, session, i18n } = ctx
    const admin = ctx.auth.getUserOrFail()
    const name = String(ctx.params.name)
    this.pathOf(name)
    const back = urlFor('admin.backups.confirm_restore', { name })

    let secret: string
    let confirmation: string
    if (admin.twoFactorEnabled) {
      const input = await request.validateUsing(restoreWithCodeValidator)
      secret = input.code
      confirmation = input.confirmation
    } else {
      const input = await request.validateUsing(restoreWithPasswordValidator)
      secret = input.password
      confirmation = input.confirmation
    }

    let refused
    try {
      refused = await this.requests.requestRestore(
        admin,
        { name, confirmation, secret, ip: request.ip() },
        adminActor(ctx)
      )
    } catch (error) {
      return redirectWithRefusal(ctx, error, back)
    }
    if (refused) {
      const field = refused === 'confirmation_mismatch' ? 'confirmation' : secretField(admin)
      session.flashOnly(['confirmation'])
      session.flashErrors({ [field]: i18n.t(`backups.restore.refused.${refused}`) })
      return ctx.response.redirect(back)
    }
    session.flash('success', i18n.t('backups.restore.queued', { name }))
    return ctx.response.redirect().toRoute('admin.backups.index')
  }

  /** The archive's path; a name of another shape or a missing file is a 404. */
  protected pathOf(name: string) {
    try {
      return this.backups.archivePath(name)
    } catch (error) {
      if (DomainError.is(error, 'backup_not_found')) throw notFound(name)
      throw error
    }
  }

  protected archiveView(entry: BackupEntry, i18n: HttpContext['i18n']) {
    const row = entry.row
    const now = this.clock.now()
    const age =
      now.diff(entry.createdAt).as('seconds') < 60
        ? i18n.t('backups.archives.just_now')
        : entry.createdAt.setLocale(i18n.locale).toRelative({ base: now })
    return {
      name: entry.name,
      size: formatBytes(entry.sizeBytes),
      sizeBytes: entry.sizeBytes,
      createdAt: entry.createdAt,
      age,
      encrypted: entry.encrypted,
      verifiedAt: entry.verifiedAt,
      verifyError: row?.verifyError ?? null,
      uploadError: row?.uploadError ?? null,
      status: entry.status,
      trigger: row?.trigger ?? null,
    }
  }

  protected activityView(activity: BackupActivity, t: (key: string) => string) {
    return {
      busy: activity.busy,
      backups: activity.backups.map((row) => ({
        id: row.id,
        status: row.status,
        statusLabel: t(`backups.status.${row.status}`),
        phase: row.phase,
        phaseLabel: row.phase ? t(`backups.phases.${row.phase}`) : '',
        progress: row.progress ?? 0,
        trigger: row.trigger,
        name: row.name,
        createdAt: row.createdAt.toISO(),
      })),
      restores: activity.restores.map((restore) => ({
        name: restore.name,
        state: restore.state,
        stateLabel: t(`backups.status.${restore.state}`),
        requestedAt: restore.requestedAt.toISO(),
      })),
    }
  }
}

function secretField(admin: { twoFactorEnabled: boolean }) {
  return admin.twoFactorEnabled ? 'code' : 'password'
}

function notFound(name: string) {
  return new Exception(`No backup named ${name}`, { status: 404, code: 'E_BACKUP_NOT_FOUND' })
}
