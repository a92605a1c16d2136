import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import type { Group } from '@japa/runner/core'
import { Queue } from 'bullmq'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import encryption from '@adonisjs/core/services/encryption'
import db from '@adonisjs/lucid/services/db'
import type redisConfig from '#config/redis'
import AdminUser from '#models/admin_user'
import Backup from '#models/backup'
import Customer from '#models/customer'
import { BackupService } from '#services/backups/backup_service'
import { BackupSettings } from '#services/backups/backup_settings'
import { bullmqOptionsFrom, runJob } from '#services/job_scheduler'
import WorkerPresence from '#services/worker_presence'
import { Clock, FixedClock } from '#support/clock'
import { coreJobs } from '#start/jobs'
import { unique } from '#tests/support/fixtures'
import {
  PanelClient,
  TEST_PASSWORD,
  auditRowsAfter,
  createAdmin,
  lastAuditId,
  loggedInPanel,
  totpCode,
} from '#tests/support/panel'
import { restoreClock, useFixedClock } from '#tests/support/sessions'

/** The job queue of this run (BullMQ under the run's Redis prefix), as a worker sees it. */
function jobQueue() {
  return new Queue('keyward', bullmqOptionsFrom(app.config.get<typeof redisConfig>('redis')))
}

async function waitingJobs(name: string) {
  const queue = jobQueue()
  try {
    const jobs = await queue.getJobs(['waiting', 'active', 'prioritized'])
    return jobs.filter((job) => job.name === name)
  } finally {
    await queue.close()
  }
}

async function emptyQueue() {
  const queue = jobQueue()
  await queue.obliterate({ force: true })
  await queue.close()
}

/**
 * Points the backups service at a folder of the group's own (no archive
 * ever lands in storage/), without the trial restore (its own tests have
 * it), and empties the job queue after each test: a job left waiting
 * would make the next "back up now" refuse.
 */
function useBackupDir(group: Group) {
  const state = { dir: '' }
  group.setup(async () => {
    state.dir = await mkdtemp(join(tmpdir(), 'keyward-panel-backups-'))
    // A restore writes the plugin selection back: a copy of the group's own, never config/.
    const pluginsConfigPath = join(state.dir, 'plugins.ts')
    await copyFile(app.makePath('config/plugins.ts'), pluginsConfigPath)
    app.container.swap(
      BackupSettings,
      () =>
        new BackupSettings({
          dir: state.dir,
          pluginsConfigPath,
          verifyAfterCreate: false,
          uploadCommand: null,
        })
    )
    return async () => {
      app.container.restore(BackupSettings)
      await rm(state.dir, { recursive: true, force: true })
    }
  })
  group.each.teardown(() => emptyQueue())
  return state
}

let lastArchiveAt = DateTime.utc()

/**
 * A real archive (pg_dump of the run's database), each in a second of its
 * own: archives are named by the second they were made in.
 */
async function makeArchive() {
  const now = DateTime.utc().startOf('second')
  lastArchiveAt = now > lastArchiveAt ? now : lastArchiveAt.plus({ seconds: 1 })
  app.container.swap(Clock, () => new FixedClock(lastArchiveAt))
  try {
    const service = await app.container.make(BackupService)
    return await service.create({ trigger: 'cli' })
  } finally {
    app.container.restore(Clock)
  }
}

/** An owner with two-factor on; logged in with the previous step's code, so the current one is left for the re-authentication. */
async function ownerWithTwoFactor() {
  const owner = await createAdmin({ role: 'owner' })
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
  owner.totpSecret = encryption.encrypt(secret)
  owner.totpEnabledAt = DateTime.utc()
  await owner.save()
  const client = new PanelClient()
  const login = await client.login(owner.email, TEST_PASSWORD, () =>
    totpCode(secret, Date.now() - 30_000)
  )
  if (login.location !== '/admin') throw new Error(`2FA login failed: ${login.location}`)
  return { client, owner, secret }
}

test.group('Panel: backups page (owner only)', (group) => {
  const backups = useBackupDir(group)

  test('an admin who is not an owner is refused every backups route and sees no menu entry', async ({
    assert,
  }) => {
    const archive = await makeArchive()
    const { client } = await loggedInPanel('admin')
    const since = await lastAuditId()
    const dashboard = await client.get('/admin')
    assert.notInclude(dashboard.body, 'href="/admin/backups"')

    for (const path of [
      '/admin/backups',
      '/admin/backups/status',
      `/admin/backups/${archive.name}/download`,
      `/admin/backups/${archive.name}/restore`,
    ]) {
      const response = await client.get(path)
      assert.equal(response.status, 403, path)
      assert.notInclude(response.body, 'keyward-', path)
    }
    assert.equal((await client.post('/admin/backups')).status, 403)
    const restore = await client.post(`/admin/backups/${archive.name}/restore`, {
      confirmation: archive.name!,
      password: TEST_PASSWORD,
    })
    assert.equal(restore.status, 403)
    assert.lengthOf(await waitingJobs('backups:create'), 0)
    assert.lengthOf(await waitingJobs('backups:restore'), 0)
    assert.lengthOf(await auditRowsAfter(since), 0)

    const { client: owner } = await loggedInPanel('owner')
    assert.include((await owner.get('/admin')).body, 'href="/admin/backups"')
  })

  test('lists archives with size, age, encryption and verification, and failed attempts with their error', async ({
    assert,
  }) => {
    const archive = await makeArchive()
    await archive.refresh()
    archive.verifyError = 'the restored database lacks tables'
    await archive.save()
    const failed = await Backup.create({
      status: 'failed',
      trigger: 'schedule',
      progress: 5,
      error: `pg_dump: connection refused ${unique('marker')}`,
      finishedAt: DateTime.utc(),
    })

    const { client } = await loggedInPanel('owner')
    const page = await client.get('/admin/backups')
    assert.equal(page.status, 200)
    const row = page.body.match(new RegExp(`<tr data-archive="${archive.name}">[\\s\\S]*?</tr>`))
    assert.exists(row, 'the archive is listed')
    assert.match(row![0], /\d+(\.\d+)? (KiB|MiB)/, 'its size, for people')
    assert.include(row![0], `title="${archive.sizeBytes} B"`)
    assert.match(row![0], /\((just now|\d+ \w+ ago)\)/, 'its age')
    assert.match(row![0], /<td>Yes<\/td>/, 'encrypted')
    assert.include(row![0], 'Trial restore failed')
    assert.include(row![0], 'the restored database lacks tables')
    assert.include(row![0], `/admin/backups/${archive.name}/download`)
    assert.include(page.body, `data-failed-attempt="${failed.id}"`)
    assert.include(page.body, failed.error!)
    assert.include(page.body, backups.dir)
  })

  test('says a queued backup waits for a job worker while none was seen lately', async ({
    assert,
  }) => {
    const clock = useFixedClock(DateTime.utc().startOf('second'))
    const { default: redis } = await import('@adonisjs/redis/services/main')
    // Workers that earlier tests of the run started have beaten into the same key.
    await redis.del('jobs:workers')
    try {
      const presence = new WorkerPresence()
      const worker = `test-${unique('worker')}`
      const { client } = await loggedInPanel('owner')
      // A worker beat 10 minutes ago: longer than HEALTH_MAX_WORKER_SILENCE (2m).
      await presence.beat(worker, clock.now().minus({ minutes: 10 }).toMillis())
      const silent = await client.get('/admin/backups')
      assert.include(silent.body, 'data-worker-absent')
      assert.include(silent.body, 'node ace.ts jobs:work')

      await presence.beat(worker, clock.now().minus({ seconds: 5 }).toMillis())
      const alive = await client.get('/admin/backups')
      assert.notInclude(alive.body, 'data-worker-absent')
    } finally {
      restoreClock()
      await redis.del('jobs:workers')
    }
  })

  test('"Back up now" queues a backups:create job for a new row and audits it; a second click is refused', async ({
    assert,
  }) => {
    const { client, admin } = await loggedInPanel('owner')
    const since = await lastAuditId()
    await client.get('/admin/backups')
    await client.post('/admin/backups', {}, { csrf: false })
    assert.include((await client.get('/admin/backups')).body, 'flash-error')
    assert.lengthOf(await waitingJobs('backups:create'), 0)
    assert.lengthOf(await Backup.query().where('requested_by', admin.id), 0)

    await client.get('/admin/backups')
    const response = await client.post('/admin/backups')
    assert.equal(response.location, '/admin/backups')
    const row = await Backup.query().where('requested_by', admin.id).firstOrFail()
    assert.equal(row.status, 'queued')
    assert.equal(row.trigger, 'panel')
    const jobs = await waitingJobs('backups:create')
    assert.deepEqual(
      jobs.map((job) => job.data),
      [{ backupId: row.id }]
    )

    const page = await client.get('/admin/backups')
    assert.include(page.body, 'The backup was queued')
    assert.include(page.body, `data-attempt="${row.id}"`)
    assert.include(page.body, 'data-busy="true"')
    const status = await fetch(`${client.base}/admin/backups/status`, {
      headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    })
    assert.equal(status.status, 200)
    const body = (await status.json()) as any
    assert.isTrue(body.busy)
    assert.deepInclude(body.backups[0], { id: row.id, status: 'queued', progress: 0 })

    const again = await client.post('/admin/backups')
    assert.equal(again.location, '/admin/backups')
    assert.include(
      (await client.get('/admin/backups')).body,
      'A backup or a restore is already queued or running'
    )
    assert.lengthOf(await Backup.query().where('requested_by', admin.id), 1)
    assert.lengthOf(await waitingJobs('backups:create'), 1)

    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((audit) => audit.action),
      ['backup.requested']
    )
    assert.equal(rows[0].actorId, String(admin.id))
    assert.equal(rows[0].subjectId, String(row.id))
  })

  test('download streams the archive as an attachment and audits it; other names are 404', async ({
    assert,
  }) => {
    const archive = await makeArchive()
    const { client, admin } = await loggedInPanel('owner')
    const since = await lastAuditId()
    const response = await fetch(`${client.base}/admin/backups/${archive.name}/download`, {
      headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    })
    assert.equal(response.status, 200)
    assert.equal(
      response.headers.get('content-disposition'),
      `attachment; filename="${archive.name}"`
    )
    const bytes = Buffer.from(await response.arrayBuffer())
    assert.isTrue(bytes.equals(await readFile(join(backups.dir, archive.name!))))

    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((row) => [row.action, row.actorId, row.subjectId]),
      [['backup.downloaded', String(admin.id), String(archive.id)]]
    )

    const after = await lastAuditId()
    for (const name of [
      'keyward-20990101T000000Z.kwbackup',
      '..%2F..%2F..%2Fetc%2Fpasswd',
      '%2Fetc%2Fpasswd',
      'keyward-20990101T000000Z.kwbackup.partial',
      `${archive.name}%00.txt`,
      'lease_keys.json',
    ]) {
      const bad = await client.get(`/admin/backups/${name}/download`)
      assert.equal(bad.status, 404, name)
      assert.equal((await client.get(`/admin/backups/${name}/restore`)).status, 404, name)
    }
    assert.lengthOf(await auditRowsAfter(after), 0)
  })
})

test.group('Panel: restoring a backup', (group) => {
  useBackupDir(group)

  test('the restore page explains what is lost and asks for the password and the name', async ({
    assert,
  }) => {
    const archive = await makeArchive()
    const { client } = await loggedInPanel('owner')
    const page = await client.get(`/admin/backups/${archive.name}/restore`)
    assert.equal(page.status, 200)
    assert.include(page.body, 'Everything that happened after that moment is lost')
    assert.include(page.body, 'name="confirmation"')
    assert.include(page.body, 'name="password"')
    assert.notInclude(page.body, 'name="code"')
  })

  test('a wrong password is refused, audited and counted as a failed login; nothing is queued', async ({
    assert,
  }) => {
    const archive = await makeArchive()
    const { client, admin } = await loggedInPanel('owner')
    const since = await lastAuditId()
    await client.get(`/admin/backups/${archive.name}/restore`)
    const response = await client.post(`/admin/backups/${archive.name}/restore`, {
      confirmation: archive.name!,
      password: 'not the password at all',
    })
    assert.equal(response.location, `/admin/backups/${archive.name}/restore`)
    const form = await client.get(`/admin/backups/${archive.name}/restore`)
    assert.include(form.body, 'The password is not correct.')
    assert.lengthOf(await waitingJobs('backups:restore'), 0)

    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((row) => [row.action, row.after?.reason]),
      [
        ['admin.login_failed', 'reauthentication'],
        ['backup.restore_refused', 'wrong_password'],
      ]
    )
    assert.equal(rows[1].actorId, String(admin.id))

    // Four more wrong answers make five: the account is locked out, here and at the login form.
    for (let attempt = 0; attempt < 4; attempt++) {
      await client.get(`/admin/backups/${archive.name}/restore`)
      await client.post(`/admin/backups/${archive.name}/restore`, {
        confirmation: archive.name!,
        password: `wrong ${attempt}`,
      })
    }
    await client.get(`/admin/backups/${archive.name}/restore`)
    const locked = await client.post(`/admin/backups/${archive.name}/restore`, {
      confirmation: archive.name!,
      password: TEST_PASSWORD,
    })
    assert.equal(locked.location, `/admin/backups/${archive.name}/restore`)
    assert.include(
      (await client.get(`/admin/backups/${archive.name}/restore`)).body,
      'Too many failed attempts'
    )
    assert.lengthOf(await waitingJobs('backups:restore'), 0)
    const lockedRows = await auditRowsAfter(since)
    assert.deepInclude(
      lockedRows.map((row) => [row.action, row.after?.reason]),
      ['backup.restore_refused', 'locked_out']
    )
    assert.equal((await new PanelClient().login(admin.email)).status, 429)
  })

  test('with two-factor on, the current code is asked for; a wrong one is refused and audited', async ({
    assert,
  }) => {
    const archive = await makeArchive()
    const { client, owner, secret } = await ownerWithTwoFactor()
    const page = await client.get(`/admin/backups/${archive.name}/restore`)
    assert.include(page.body, 'name="code"')
    assert.notInclude(page.body, 'name="password"')

    const since = await lastAuditId()
    const current = totpCode(secret)
    const wrong = current === '000000' ? '111111' : '000000'
    // The password is not what a two-factor owner gives.
    await client.post(`/admin/backups/${archive.name}/restore`, {
      confirmation: archive.name!,
      password: TEST_PASSWORD,
    })
    await client.get(`/admin/backups/${archive.name}/restore`)
    await client.post(`/admin/backups/${archive.name}/restore`, {
      confirmation: archive.name!,
      code: wrong,
    })
    assert.include(
      (await client.get(`/admin/backups/${archive.name}/restore`)).body,
      'The code is not correct'
    )
    assert.lengthOf(await waitingJobs('backups:restore'), 0)
    assert.deepEqual(
      (await auditRowsAfter(since)).map((row) => [row.action, row.after?.reason]),
      [
        ['admin.login_failed', 'reauthentication'],
        ['backup.restore_refused', 'wrong_code'],
      ]
    )

    await client.post(`/admin/backups/${archive.name}/restore`, {
      confirmation: archive.name!,
      code: totpCode(secret),
    })
    const jobs = await waitingJobs('backups:restore')
    assert.deepEqual(
      jobs.map((job) => job.data),
      [{ name: archive.name, actorId: owner.id }]
    )
  })

  test('without the typed name (or with another) the restore is refused and nothing is queued', async ({
    assert,
  }) => {
    const archive = await makeArchive()
    const { client } = await loggedInPanel('owner')
    const since = await lastAuditId()
    await client.get(`/admin/backups/${archive.name}/restore`)
    const missing = await client.post(`/admin/backups/${archive.name}/restore`, {
      password: TEST_PASSWORD,
    })
    assert.equal(missing.status, 302)
    assert.include(
      (await client.get(`/admin/backups/${archive.name}/restore`)).body,
      'id="field-confirmation-error"'
    )
    await client.post(`/admin/backups/${archive.name}/restore`, {
      confirmation: 'keyward-19990101T000000Z.kwbackup',
      password: TEST_PASSWORD,
    })
    assert.include(
      (await client.get(`/admin/backups/${archive.name}/restore`)).body,
      'name exactly as shown.'
    )
    assert.lengthOf(await waitingJobs('backups:restore'), 0)
    assert.deepEqual(
      (await auditRowsAfter(since)).map((row) => [row.action, row.after?.reason]),
      [['backup.restore_refused', 'confirmation_mismatch']]
    )
  })
})

test.group('Panel: backup warning on the dashboard', (group) => {
  group.each.setup(async () => {
    await db.from('backups').delete()
    return () => restoreClock()
  })

  const now = DateTime.fromISO('2031-05-20T12:00:00Z', { zone: 'utc' }) as DateTime<true>
  const attempt = (status: 'succeeded' | 'failed', finishedAt: DateTime) =>
    Backup.create({
      status,
      trigger: 'schedule',
      progress: status === 'succeeded' ? 100 : 5,
      name: status === 'succeeded' ? `keyward-${unique('x')}.kwbackup` : null,
      error: status === 'failed' ? 'disk full' : null,
      finishedAt,
    })

  async function warningShown(role: 'owner' | 'admin') {
    const { client } = await loggedInPanel(role)
    const body = (await client.get('/admin')).body
    const banner = body.match(
      /<div class="flash flash-error" role="alert" data-backup-warning="(\w+)">[\s\S]*?<\/div>/
    )
    return banner ? { kind: banner[1], html: banner[0] } : null
  }

  test('no backup yet: every admin sees the warning, only owners the link', async ({ assert }) => {
    useFixedClock(now)
    const owner = await warningShown('owner')
    assert.equal(owner?.kind, 'none')
    assert.include(owner!.html, 'No backup has been made yet.')
    assert.include(owner!.html, 'href="/admin/backups"')
    const admin = await warningShown('admin')
    assert.equal(admin?.kind, 'none')
    assert.notInclude(admin!.html, 'href="/admin/backups"')
  })

  test('a success within HEALTH_MAX_BACKUP_AGE (26 h) shows nothing; an older one warns', async ({
    assert,
  }) => {
    const clock = useFixedClock(now)
    await attempt('succeeded', now.minus({ hours: 25, minutes: 59 }))
    assert.isNull(await warningShown('owner'))
    clock.set(now.plus({ minutes: 2 }))
    const stale = await warningShown('owner')
    assert.equal(stale?.kind, 'stale')
    assert.include(stale!.html, 'older than 26 hours')
    assert.include(stale!.html, '2031-05-19 10:01')
  })

  test('the last attempt failed: warns even with an earlier fresh success', async ({ assert }) => {
    useFixedClock(now)
    await attempt('succeeded', now.minus({ hours: 3 }))
    await attempt('failed', now.minus({ hours: 1 }))
    const failed = await warningShown('admin')
    assert.equal(failed?.kind, 'failed')
    assert.include(failed!.html, 'The last backup failed (2031-05-20 11:00 UTC).')
    await attempt('succeeded', now.minus({ minutes: 10 }))
    assert.isNull(await warningShown('admin'))
  })
})

test.group('Panel: a restore the worker carries out', (group) => {
  useBackupDir(group)

  test('with the password and the typed name the restore is queued; the job restores and writes backup.restored', async ({
    assert,
  }) => {
    const { client, admin } = await loggedInPanel('owner')
    const archive = await makeArchive()
    // Made after the archive: the restore takes it away.
    const later = await Customer.create({ name: unique('After the backup') })

    const since = await lastAuditId()
    await client.get(`/admin/backups/${archive.name}/restore`)
    const response = await client.post(`/admin/backups/${archive.name}/restore`, {
      confirmation: ` ${archive.name} `,
      password: TEST_PASSWORD,
    })
    assert.equal(response.location, '/admin/backups')
    const page = await client.get('/admin/backups')
    assert.include(page.body, `The restore of ${archive.name} was queued`)
    assert.include(page.body, `data-restore="${archive.name}"`)
    const [job] = await waitingJobs('backups:restore')
    assert.deepEqual(job.data, { name: archive.name, actorId: admin.id })
    assert.deepEqual(
      (await auditRowsAfter(since)).map((row) => row.action),
      ['backup.restore_requested']
    )
    // While it waits, nothing else may be queued.
    await client.post('/admin/backups')
    assert.lengthOf(await waitingJobs('backups:create'), 0)

    // What `jobs:work` does with the job.
    const definition = coreJobs.find((candidate) => candidate.name === 'backups:restore')!
    const report = await runJob(definition, { app, scheduledAt: new Date(), data: job.data })
    assert.isUndefined(report.error, String(report.error))

    assert.isNull(await Customer.find(later.id))
    const restored = await db
      .from('audit_logs')
      .where('action', 'backup.restored')
      .where('subject_id', archive.name!)
      .first()
    assert.exists(restored, 'backup.restored is in the audit log after the restore')
    assert.equal(restored.actor_type, 'admin')
    assert.equal(restored.actor_id, String(admin.id))
    // The admin existed when the archive was made: still there, still an owner.
    assert.equal((await AdminUser.findOrFail(admin.id)).role, 'owner')
  }).timeout(60_000)
})
