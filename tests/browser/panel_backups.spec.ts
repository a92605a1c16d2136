import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import { Queue } from 'bullmq'
import app from '@adonisjs/core/services/app'
import redis from '@adonisjs/redis/services/main'
import type redisConfig from '#config/redis'
import Backup from '#models/backup'
import { BackupSettings } from '#services/backups/backup_settings'
import { bullmqOptionsFrom } from '#services/job_scheduler'
import WorkerPresence from '#services/worker_presence'
import { signedInPage } from '#tests/support/browser'
import { spawnTracked } from '#tests/support/child_processes'

async function emptyQueue() {
  const queue = new Queue('keyward', bullmqOptionsFrom(app.config.get<typeof redisConfig>('redis')))
  await queue.obliterate({ force: true })
  await queue.close()
}

test.group('Panel in a browser: backups', (group) => {
  let dir = ''
  group.setup(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keyward-browser-backups-'))
    // The web process (this one) lists what the worker writes: the same folder.
    app.container.swap(BackupSettings, () => new BackupSettings({ dir, verifyAfterCreate: false }))
    await emptyQueue()
    return async () => {
      app.container.restore(BackupSettings)
      await emptyQueue()
      await redis.del('jobs:workers')
      await rm(dir, { recursive: true, force: true })
    }
  })

  test('an owner presses "Back up now": a real job worker makes it, the page shows its progress, then lists the archive', async ({
    visit,
    assert,
    cleanup,
  }) => {
    // The upload step waits on this pipe, so the test sees the backup while it runs.
    const gate = join(dir, 'upload-gate')
    execFileSync('mkfifo', [gate])
    const spawnedAt = Date.now()
    const worker = spawnTracked(process.execPath, ['ace.ts', 'jobs:work'], {
      cwd: app.makePath(),
      env: {
        ...process.env,
        NODE_ENV: 'test',
        BACKUP_DIR: dir,
        BACKUP_VERIFY: 'false',
        BACKUP_UPLOAD_COMMAND: `read line < '${gate}'`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    worker.stdout!.on('data', (chunk) => (output += chunk))
    worker.stderr!.on('data', (chunk) => (output += chunk))
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve))
    let released = false
    const release = async () => {
      if (released) return
      released = true
      await writeFile(gate, 'go\n')
    }
    cleanup(async () => {
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL')
    })

    // The worker says it is alive (WorkerPresence) once it has started. A beat
    // left by an earlier test's worker does not count: it may be old enough
    // for the page to call the worker absent.
    const presence = new WorkerPresence()
    const beatOfThisWorker = async () => {
      const lastSeen = await presence.lastSeen()
      return lastSeen !== null && lastSeen.getTime() >= spawnedAt
    }
    const deadline = Date.now() + 30_000
    while (!(await beatOfThisWorker()) && Date.now() < deadline && worker.exitCode === null) {
      await sleep(200)
    }
    assert.isTrue(await beatOfThisWorker(), `the worker did not start; its output:\n${output}`)

    const { page, admin } = await signedInPage(visit, 'owner')
    await page.getByRole('link', { name: 'Backups', exact: true }).click()
    await page.waitForURL('**/admin/backups')
    await page.assertNotExists('[data-worker-absent]')
    await page.getByRole('button', { name: 'Back up now' }).click()
    await page.waitForURL('**/admin/backups')
    await page.assertTextContains('[role=status]', 'The backup was queued')

    // A mark on this page's window: a reload would lose it.
    await page.evaluate('window.__sameBackupsPage = true')
    const row = await Backup.query().where('requested_by', admin.id).firstOrFail()
    const attempt = page.locator(`[data-attempt="${row.id}"]`)
    await attempt.locator('[data-attempt-phase]', { hasText: 'Uploading' }).waitFor()
    assert.equal(await attempt.locator('[data-attempt-percent]').textContent(), '88 %')
    assert.equal(await attempt.locator('[data-attempt-status]').textContent(), 'Running')
    assert.isTrue(await page.evaluate('window.__sameBackupsPage === true'))

    await release()
    const archive = page.locator('tr[data-archive]').first()
    await archive.waitFor({ timeout: 30_000 })
    await row.refresh()
    assert.equal(row.status, 'succeeded', `the backup did not succeed: ${row.error}\n${output}`)
    assert.equal(await archive.getAttribute('data-archive'), row.name)
    assert.include(await archive.textContent(), 'Panel')
    assert.isNotNull(row.uploadedAt)
    assert.isFalse(await page.evaluate('window.__sameBackupsPage === true'))
    await page.assertNotExists('[data-attempt]')

    worker.kill('SIGTERM')
    assert.equal(await exited, 0, `the worker did not stop cleanly; its output:\n${output}`)
  }).timeout(90_000)
})
