import { randomBytes } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import { defaultRepeatStrategy } from 'bullmq'
import { DateTime } from 'luxon'
import * as tar from 'tar'
import ace from '@adonisjs/core/services/ace'
import testUtils from '@adonisjs/core/services/test_utils'
import app from '@adonisjs/core/services/app'
import lock from '@adonisjs/lock/services/main'
import db from '@adonisjs/lucid/services/db'
import Backup from '#models/backup'
import Customer from '#models/customer'
import Product from '#models/product'
import { digestFile } from '#services/backups/archive_container'
import { BACKUP_LOCK, BackupRefusedError, BackupService } from '#services/backups/backup_service'
import { BackupSettings, type BackupSettingsValues } from '#services/backups/backup_settings'
import { dumpDatabase } from '#services/backups/postgres_tools'
import JobScheduler, {
  JobCatalog,
  repeatFor,
  runJob,
  type JobRunReport,
} from '#services/job_scheduler'
import { encodeKeyringForEnv, generateKey, LeaseKeyring } from '#services/lease_keyring'
import { SecurityEventRecorder } from '#services/security/security_event_recorder'
import { cliActor } from '#support/actor'
import { Clock, FixedClock } from '#support/clock'
import { coreJobs } from '#start/jobs'
import { runAceProcess } from '#tests/support/ace_process'
import { createLicense, unique } from '#tests/support/fixtures'
import { logsOf, runCommand } from '#tests/support/commands'
import BackupList from '../../app/commands/backup_list.ts'
import BackupPrune from '../../app/commands/backup_prune.ts'
import BackupRestore from '../../app/commands/backup_restore.ts'
import BackupVerify from '../../app/commands/backup_verify.ts'

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }) as DateTime<true>

/**
 * Every test works in a folder of its own: BACKUP_DIR, a copy of
 * config/plugins.ts and (when asked) a keyring file, so nothing is written
 * to the repository's storage/ or config/.
 */
let folders: string[] = []
async function workspace(overrides: Partial<BackupSettingsValues> = {}) {
  const root = await mkdtemp(join(tmpdir(), 'keyward-backups-test-'))
  folders.push(root)
  const pluginsConfigPath = join(root, 'plugins.ts')
  await copyFile(app.makePath('config/plugins.ts'), pluginsConfigPath)
  const settings = new BackupSettings({
    dir: join(root, 'backups'),
    pluginsConfigPath,
    verifyAfterCreate: false,
    uploadCommand: null,
    encryption: true,
    backupKey: null,
    keepLast: 0,
    keepDaily: 100,
    keepWeekly: 0,
    lockWait: '30s',
    ...overrides,
  })
  app.container.swap(BackupSettings, () => settings)
  const backups = await app.container.make(BackupService)
  return { root, settings: settings.values, backups }
}

function useClock(now: DateTime) {
  const clock = new FixedClock(now)
  app.container.swap(Clock, () => clock)
  return clock
}

/**
 * What every table holds, as one digest per table (`backups` aside: its
 * rows are carried over, not restored). The audit log is compared up to a
 * given id: the rows a backup and a restore write come after it.
 */
async function contentOf(auditUpTo: number) {
  const { rows } = await db.rawQuery(
    `SELECT schemaname, tablename FROM pg_tables
      WHERE schemaname IN ('public', 'heartbeat_partitions') AND tablename <> 'backups'
      ORDER BY 1, 2`
  )
  const content: Record<string, string> = {}
  for (const { schemaname, tablename } of rows) {
    const where = tablename === 'audit_logs' ? `WHERE id <= ${auditUpTo}` : ''
    const result = await db.rawQuery(
      `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest
         FROM "${schemaname}"."${tablename}" t ${where}`
    )
    content[`${schemaname}.${tablename}`] = `${result.rows[0].n}:${result.rows[0].digest}`
  }
  return content
}

async function lastAuditId() {
  const { rows } = await db.rawQuery('SELECT coalesce(max(id), 0)::int AS id FROM audit_logs')
  return rows[0].id as number
}

async function scratchDatabases() {
  const { rows } = await db.rawQuery(
    `SELECT datname FROM pg_database WHERE datname LIKE 'keyward\\_verify\\_%'`
  )
  return rows.map((row: { datname: string }) => row.datname)
}

/** Waits for a condition another process or worker makes true, within a deadline. */
async function eventually<T>(
  probe: () => Promise<T | null | undefined | false>,
  timeoutMs = 60_000
) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await sleep(100)
  }
}

/** manifest.json of a plain (tar) archive. */
async function manifestOf(path: string) {
  let text = ''
  await tar.list({
    file: path,
    onReadEntry: (entry) => {
      if (entry.path === 'manifest.json') entry.on('data', (chunk: Buffer) => (text += chunk))
      else entry.resume()
    },
  })
  return text
}

const withoutExtension = (file: string) => file.replace(/\.(ts|js)$/, '')

async function refusalOf(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error('expected a refusal')
}

test.group('Backups: create and restore', (group) => {
  group.each.teardown(async () => {
    app.container.restoreAll([BackupSettings, Clock])
    await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })))
    folders = []
  })

  test('a restore brings every table back to the state of the backup, by content', async ({
    assert,
  }) => {
    useClock(utc('2026-01-15T10:20:30Z'))
    const { backups, settings } = await workspace({ verifyAfterCreate: true })

    const kept = await Product.create({ name: 'Kept product', slug: unique('kept') })
    const doomed = await Product.create({ name: 'Changed later', slug: unique('changed') })
    const customer = await Customer.create({
      name: 'Backed-up customer',
      email: `${unique('c')}@example.com`,
    })
    const license = await createLicense({ productId: kept.id, customerId: customer.id })

    // Refusals of earlier tests still buffered would land after the backup and tell apart
    // two states that are the same.
    await (await app.container.make(SecurityEventRecorder)).flush()
    const auditUpTo = await lastAuditId()
    const before = await contentOf(auditUpTo)
    const row = await backups.create({ trigger: 'cli' })

    assert.equal(row.name, 'keyward-20260115T102030Z.kwbackup')
    assert.equal(row.status, 'succeeded')
    assert.isTrue(row.encrypted)
    assert.isNotNull(row.verifiedAt, 'verified by a trial restore')
    assert.deepEqual(await scratchDatabases(), [], 'the scratch database is gone')
    const path = backups.archivePath(row.name!)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.equal((await stat(settings.dir)).mode & 0o777, 0o700)
    assert.equal(row.sha256, (await digestFile(path)).sha256)
    assert.deepEqual(
      (await readdir(settings.dir)).filter((file) => file.endsWith('.partial')),
      []
    )

    // Change, add and delete, in several tables.
    doomed.name = 'Renamed after the backup'
    await doomed.save()
    await Product.create({ name: 'Added after', slug: unique('added') })
    await Customer.create({ name: 'Added after', email: `${unique('a')}@example.com` })
    await db.from('licenses').where('id', license.id).update({ max_devices: 9 })
    await db.from('licenses').where('id', license.id).delete()
    assert.notDeepEqual(await contentOf(auditUpTo), before)

    const result = await backups.restore(row.name!, { actor: cliActor() })
    assert.deepEqual(await contentOf(auditUpTo), before)
    assert.deepEqual(result.migrationsRun, [])
    assert.equal(result.keyring, 'unchanged')
    assert.equal(result.pluginsConfig, 'unchanged')

    // The history of backups survives, and the restore is audited.
    const history = await Backup.findByOrFail('name', row.name)
    assert.equal(history.status, 'succeeded')
    assert.isNotNull(history.verifiedAt)
    const after = await db.from('audit_logs').where('id', '>', auditUpTo).orderBy('id')
    assert.deepEqual(
      after.map((audit) => audit.action),
      ['backup.restored']
    )
    // The database is usable: sequences were restored with the rows.
    const fresh = await Product.create({ name: 'After the restore', slug: unique('fresh') })
    assert.isAbove(fresh.id, doomed.id)
  })

  test('restoring an archive of an older schema runs the migrations it lacks', async ({
    assert,
  }) => {
    useClock(utc('2026-01-16T10:00:00Z'))
    const { backups } = await workspace({ encryption: false })
    // An install from before version-gate's migration: neither its tables nor its row.
    const migration = 'plugins/version-gate/database/migrations/0001_create_version_gate_configs'
    await db.rawQuery('DROP TABLE version_gate_config_revisions, version_gate_configs')
    await db.from('adonis_schema').where('name', migration).delete()
    let row
    try {
      row = await backups.create({ trigger: 'cli' })
    } finally {
      await testUtils.db().migrate()
    }
    assert.notProperty(
      JSON.parse(await manifestOf(backups.archivePath(row.name!))).migrations,
      'plugins/version-gate/database/migrations'
    )
    const result = await backups.restore(row.name!, { actor: cliActor() })
    assert.deepEqual(result.migrationsRun.map(withoutExtension), [migration])
    const { rows } = await db.rawQuery(`SELECT to_regclass('version_gate_configs') AS found`)
    assert.equal(rows[0].found, 'version_gate_configs')
    assert.exists(await db.from('adonis_schema').where('name', migration).first())
  })

  test('refuses damaged, foreign, wrongly keyed and newer archives, changing nothing', async ({
    assert,
  }) => {
    const clock = useClock(utc('2026-02-01T08:00:00Z'))
    const { backups, settings } = await workspace()
    const good = await backups.create({ trigger: 'cli' })
    const goodPath = backups.archivePath(good.name!)

    /** Writes a file into BACKUP_DIR under a valid name. */
    let second = 0
    const place = async (contents: Buffer | string, extension = 'kwbackup') => {
      // A day each: retention keeps the newest archive per day, and prunes after every backup.
      const name = `keyward-202601${String(++second).padStart(2, '0')}T090000Z.${extension}`
      await writeFile(join(settings.dir, name), contents)
      return name
    }
    const original = await readFile(goodPath)

    const truncated = await place(original.subarray(0, Math.floor(original.length / 2)))
    const flipped = Buffer.from(original)
    flipped[Math.floor(flipped.length / 2)] ^= 0x01
    const tampered = await place(flipped)
    const random = await place(randomBytes(4096))
    const otherRoot = join(settings.dir, '..', 'other')
    await mkdir(otherRoot)
    await writeFile(join(otherRoot, 'notes.txt'), 'not a backup')
    const otherTar = join(settings.dir, '..', 'other.tar')
    await tar.create({ cwd: otherRoot, file: otherTar }, ['notes.txt'])
    const foreignTar = await place(await readFile(otherTar), 'tar')
    const dumpPath = join(settings.dir, '..', 'plain.dump')
    await dumpDatabase(settings.databaseUrl, dumpPath)
    const plainDump = await place(await readFile(dumpPath))

    // Encrypted with another BACKUP_KEY.
    const otherKey = await workspace({
      dir: settings.dir,
      backupKey: randomBytes(32).toString('base64'),
    })
    clock.set(utc('2026-02-02T10:00:00Z'))
    const wrongKey = await otherKey.backups.create({ trigger: 'cli' })
    // The installation restoring has a BACKUP_KEY of its own; it still reads APP_KEY archives.
    const { backups: restorer } = await workspace({
      dir: settings.dir,
      backupKey: randomBytes(32).toString('base64'),
    })

    // From a newer schema: its database has a migration this install lacks.
    const future = 'database/migrations/9999_from_a_newer_keyward'
    await db.table('adonis_schema').insert({ name: future, batch: 99, migration_time: new Date() })
    clock.set(utc('2026-02-03T11:00:00Z'))
    let newer
    try {
      newer = await restorer.create({ trigger: 'cli' })
    } finally {
      await db.from('adonis_schema').where('name', future).delete()
    }

    const marker = await Product.create({
      name: 'Written after every backup',
      slug: unique('marker'),
    })
    const auditUpTo = await lastAuditId()
    const before = await contentOf(auditUpTo)

    const cases: [string, string, RegExp][] = [
      [truncated, 'backup_damaged', /authentication tag does not match/],
      [tampered, 'backup_damaged', /authentication tag does not match/],
      [random, 'backup_not_keyward', /not a Keyward backup/],
      [foreignTar, 'backup_not_keyward', /not a Keyward backup/],
      [plainDump, 'backup_not_keyward', /not a Keyward backup \(a plain pg_dump\)/],
      [wrongKey.name!, 'backup_wrong_key', /encrypted with a different BACKUP_KEY/],
      [newer!.name!, 'backup_newer_schema', /newer schema.*9999_from_a_newer_keyward/],
    ]
    for (const [name, code, message] of cases) {
      const refusal = await refusalOf(restorer.restore(name, { actor: cliActor() }))
      assert.instanceOf(refusal, BackupRefusedError, name)
      assert.equal((refusal as BackupRefusedError).code, code, name)
      assert.match((refusal as Error).message, message)
      assert.notInclude((refusal as Error).message, '\n', 'one line')
    }
    // Nothing changed: not the data, not the audit log.
    assert.deepEqual(await contentOf(auditUpTo), before)
    assert.equal(await lastAuditId(), auditUpTo)
    assert.isNotNull(await Product.find(marker.id))

    // The command says it in one line and exits 1.
    const command = await runCommand(BackupRestore, [tampered, '--force'])
    assert.equal(command.exitCode, 1)
    assert.match(
      logsOf(command),
      /Restore refused: keyward-\S+ cannot be used: its authentication tag does not match \(the file is truncated or was changed\)\. Nothing was changed\./
    )
    // A missing key says which one.
    const { backups: keyless } = await workspace({ dir: settings.dir })
    const missing = await keyless.verify(wrongKey.name!)
    assert.isFalse(missing.ok)
    assert.match(missing.error!, /encrypted with BACKUP_KEY, which is not set here/)
    assert.deepEqual(await contentOf(auditUpTo), before)
    // And the good one still restores.
    await restorer.restore(good.name!, { actor: cliActor() })
  })

  test('a plain archive (BACKUP_ENCRYPTION=off) is a tar; one changed byte is refused', async ({
    assert,
  }) => {
    useClock(utc('2026-02-02T08:00:00Z'))
    const { backups, settings } = await workspace({ encryption: false, verifyAfterCreate: true })
    const row = await backups.create({ trigger: 'cli' })
    assert.equal(row.name, 'keyward-20260202T080000Z.tar')
    assert.isFalse(row.encrypted)
    assert.isNotNull(row.verifiedAt)
    const path = backups.archivePath(row.name!)
    const listed: string[] = []
    await tar.list({ file: path, onReadEntry: (entry) => listed.push(entry.path) })
    assert.deepEqual(listed, ['manifest.json', 'database.dump', 'lease_keyring.json', 'plugins.ts'])

    const contents = await readFile(path)
    // A byte in the middle: inside the database dump, whose checksum the manifest holds.
    contents[Math.floor(contents.length / 2)] ^= 0x01
    await writeFile(path, contents)
    const auditUpTo = await lastAuditId()
    const before = await contentOf(auditUpTo)
    const refusal = await refusalOf(backups.restore(row.name!, { actor: cliActor() }))
    assert.equal((refusal as BackupRefusedError).code, 'backup_damaged')
    assert.deepEqual(await contentOf(auditUpTo), before)
    assert.exists(settings.dir)
  })

  test('verify drops its scratch database, also when the trial restore fails', async ({
    assert,
  }) => {
    useClock(utc('2026-02-03T08:00:00Z'))
    const { backups, settings } = await workspace()
    const row = await backups.create({ trigger: 'cli' })
    const command = await runCommand(BackupVerify, [row.name!])
    assert.equal(command.exitCode, 0, logsOf(command))
    assert.match(logsOf(command), /is sound/)
    assert.deepEqual(await scratchDatabases(), [])
    await row.refresh()
    assert.isNotNull(row.verifiedAt)
    const audited = await db
      .from('audit_logs')
      .where('action', 'backup.verified')
      .orderBy('id', 'desc')
      .first()
    assert.equal(audited.actor_type, 'cli')

    // A well-formed archive whose dump pg_restore cannot read: fails after the scratch database exists.
    const parts = join(settings.dir, '..', 'forged')
    await mkdir(parts)
    await writeFile(join(parts, 'database.dump'), 'PGDMP this is no dump')
    await writeFile(join(parts, 'lease_keyring.json'), '{}')
    await writeFile(join(parts, 'plugins.ts'), '')
    const manifest = {
      format: 'keyward-backup',
      formatVersion: 1,
      appVersion: '0.1.0',
      createdAt: '2026-02-03T09:00:00Z',
      migrations: {},
      keyringSource: 'file',
      parts: await Promise.all(
        ['database.dump', 'lease_keyring.json', 'plugins.ts'].map(async (path) => ({
          path,
          ...(await digestFile(join(parts, path))),
        }))
      ),
    }
    await writeFile(join(parts, 'manifest.json'), JSON.stringify(manifest))
    const forged = 'keyward-20260203T090000Z.tar'
    await tar.create({ cwd: parts, file: join(settings.dir, forged) }, [
      'manifest.json',
      'database.dump',
      'lease_keyring.json',
      'plugins.ts',
    ])
    const result = await backups.verify(forged)
    assert.isFalse(result.ok)
    assert.match(result.error!, /pg_restore failed/)
    assert.match(result.database, /^keyward_verify_[0-9a-f]{12}$/)
    assert.deepEqual(await scratchDatabases(), [])
  })

  test('restores the lease keyring file and config/plugins.ts when they differ, keeping the old ones', async ({
    assert,
  }) => {
    const root = await mkdtemp(join(tmpdir(), 'keyward-backups-keyring-'))
    folders.push(root)
    const keyringPath = join(root, 'lease_keys.json')
    const clock = useClock(utc('2026-02-04T08:00:00Z'))
    const { backups, settings } = await workspace({ keyringPath, keyringFromEnv: null })
    const keyring = new LeaseKeyring({ path: keyringPath, fromEnv: null })
    const archived = await keyring.load()
    const row = await backups.create({ trigger: 'cli' })

    await keyring.rotate(clock.now().toJSDate())
    const rotated = await readFile(keyringPath, 'utf8')
    const changedPlugins = (await readFile(settings.pluginsConfigPath, 'utf8')).replace(
      "'lead-crm',",
      ''
    )
    await writeFile(settings.pluginsConfigPath, changedPlugins)

    const result = await backups.restore(row.name!, { actor: cliActor() })
    assert.equal(result.keyring, 'written')
    assert.deepEqual(JSON.parse(await readFile(keyringPath, 'utf8')), archived)
    assert.equal(await readFile(`${keyringPath}.before-restore`, 'utf8'), rotated)
    assert.equal((await stat(keyringPath)).mode & 0o777, 0o600)
    assert.equal(result.pluginsConfig, 'restored')
    assert.equal(
      await readFile(settings.pluginsConfigPath, 'utf8'),
      await readFile(app.makePath('config/plugins.ts'), 'utf8')
    )
    assert.equal(
      await readFile(`${settings.pluginsConfigPath}.before-restore`, 'utf8'),
      changedPlugins
    )

    // With LEASE_KEYRING, nothing is written: the command says so.
    const otherKeyring = { version: 1 as const, keys: [generateKey(new Date())] }
    const fromEnv = await workspace({
      dir: settings.dir,
      keyringPath: join(root, 'never-written.json'),
      keyringFromEnv: encodeKeyringForEnv(otherKeyring),
    })
    const envResult = await fromEnv.backups.restore(row.name!, { actor: cliActor() })
    assert.equal(envResult.keyring, 'env-differs')
    await assert.rejects(() => stat(join(root, 'never-written.json')))
    const command = await runCommand(BackupRestore, [row.name!, '--force'])
    assert.equal(command.exitCode, 0, logsOf(command))
    assert.match(logsOf(command), /LEASE_KEYRING is set, so nothing was written/)
  })

  test('restore asks for the archive name, or --force; without a terminal it refuses', async ({
    assert,
  }) => {
    useClock(utc('2026-02-05T08:00:00Z'))
    const { backups } = await workspace()
    const row = await backups.create({ trigger: 'cli' })
    const marker = await Product.create({ name: 'Must survive', slug: unique('survive') })

    const original = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY')
    try {
      Object.defineProperty(process.stdin, 'isTTY', { value: false, configurable: true })
      const refused = await runCommand(BackupRestore, [row.name!])
      assert.equal(refused.exitCode, 1)
      assert.match(logsOf(refused), /Refusing to restore without confirmation/)

      Object.defineProperty(process.stdin, 'isTTY', { value: true, configurable: true })
      const wrongName = await ace.create(BackupRestore, [row.name!])
      wrongName.ui.switchMode('raw')
      wrongName.prompt.trap(`Type the archive name (${row.name}) to restore it`).replyWith('yes')
      await wrongName.exec()
      assert.match(logsOf(wrongName), /Nothing restored/)
      assert.isNotNull(await Product.find(marker.id))

      const confirmed = await ace.create(BackupRestore, [row.name!])
      confirmed.ui.switchMode('raw')
      confirmed.prompt
        .trap(`Type the archive name (${row.name}) to restore it`)
        .replyWith(row.name!)
      await confirmed.exec()
      assert.equal(confirmed.exitCode, 0, logsOf(confirmed))
      assert.isNull(await Product.find(marker.id))
    } finally {
      if (original) Object.defineProperty(process.stdin, 'isTTY', original)
      else delete (process.stdin as { isTTY?: boolean }).isTTY
    }
  })

  test('one backup or restore at a time: a held lock makes the next one give up', async ({
    assert,
  }) => {
    useClock(utc('2026-02-06T08:00:00Z'))
    const { backups } = await workspace({ lockWait: '300ms' })
    const held = lock.createLock(BACKUP_LOCK, '1m')
    assert.isTrue(await held.acquireImmediately())
    try {
      const refusal = await refusalOf(backups.create({ trigger: 'cli' }))
      assert.match((refusal as Error).message, /Another backup or restore is running/)
      const row = await Backup.query().orderBy('id', 'desc').firstOrFail()
      assert.equal(row.status, 'failed')
      assert.match(row.error!, /Another backup or restore is running/)
    } finally {
      await held.release()
    }
    const row = await backups.create({ trigger: 'cli' })
    assert.equal(row.status, 'succeeded')
  })

  test('a run left behind by a process that died is marked failed, its partial file removed', async ({
    assert,
  }) => {
    useClock(utc('2026-02-07T08:00:00Z'))
    const { backups, settings } = await workspace()
    await mkdir(settings.dir, { recursive: true })
    const orphanName = 'keyward-20260207T070000Z.kwbackup'
    await writeFile(join(settings.dir, `${orphanName}.partial`), 'half an archive')
    const orphan = await Backup.create({ status: 'running', trigger: 'schedule', name: orphanName })

    const row = await backups.create({ trigger: 'cli' })
    assert.equal(row.status, 'succeeded')
    await orphan.refresh()
    assert.equal(orphan.status, 'failed')
    assert.match(orphan.error!, /Interrupted/)
    assert.deepEqual(await readdir(settings.dir), [row.name])
  })
})

test.group('Backups: schedule, queue, retention, upload', (group) => {
  group.each.teardown(async () => {
    app.container.restoreAll([BackupSettings, Clock])
    await Promise.all(folders.map((folder) => rm(folder, { recursive: true, force: true })))
    folders = []
  })

  test('the schedule is read in BACKUP_TIMEZONE, with the cron parser BullMQ runs', ({
    assert,
  }) => {
    const job = coreJobs.find((candidate) => candidate.name === 'backups:create')!
    assert.equal(job.cron, app.config.get('backups.schedule'))
    const berlin = repeatFor({ ...job, cron: '0 3 * * *', timezone: 'Europe/Berlin' })
    assert.deepEqual(berlin, { pattern: '0 3 * * *', tz: 'Europe/Berlin' })
    const winter = defaultRepeatStrategy(utc('2026-01-15T00:00:00Z').toMillis(), berlin)!
    assert.equal(new Date(winter).toISOString(), '2026-01-15T02:00:00.000Z')
    const summer = defaultRepeatStrategy(utc('2026-07-15T00:00:00Z').toMillis(), berlin)!
    assert.equal(new Date(summer).toISOString(), '2026-07-15T01:00:00.000Z')
    // Without a zone, cron jobs stay in UTC.
    const inUtc = repeatFor({ ...job, cron: '0 3 * * *', timezone: undefined })
    assert.equal(
      new Date(defaultRepeatStrategy(utc('2026-01-15T00:00:00Z').toMillis(), inUtc)!).toISOString(),
      '2026-01-15T03:00:00.000Z'
    )
    // backups:restore has no schedule but is known to every worker.
    const restore = coreJobs.find((candidate) => candidate.name === 'backups:restore')!
    assert.isTrue(restore.manual)
  })

  test('a bad schedule or time zone stops the boot with a clear message', async ({ assert }) => {
    const zone = await runAceProcess(['backup:list'], { env: { BACKUP_TIMEZONE: 'Mars/Olympus' } })
    assert.notEqual(zone.exitCode, 0)
    assert.include(zone.output, 'BACKUP_TIMEZONE "Mars/Olympus" is not a time zone')
    const cron = await runAceProcess(['backup:list'], { env: { BACKUP_SCHEDULE: 'at three' } })
    assert.notEqual(cron.exitCode, 0)
    assert.include(cron.output, 'BACKUP_SCHEDULE "at three" is not a cron pattern')
  }).timeout(120_000)

  test('the scheduled job, run as the worker runs it, writes an archive named from the clock', async ({
    assert,
  }) => {
    useClock(utc('2026-01-15T02:00:00Z'))
    const { backups } = await workspace()
    const catalog = await app.container.make(JobCatalog)
    const job = catalog.all().find((candidate) => candidate.name === 'backups:create')!
    const report = await runJob(job, { app, scheduledAt: utc('2026-01-15T02:00:00Z').toJSDate() })
    assert.isUndefined(report.error, String(report.error))
    assert.deepInclude(report.result as object, { backup: 'keyward-20260115T020000Z.kwbackup' })
    const [entry] = await backups.list()
    assert.equal(entry.name, 'keyward-20260115T020000Z.kwbackup')
    assert.equal(entry.row!.trigger, 'schedule')
    const audit = await db
      .from('audit_logs')
      .where('action', 'backup.created')
      .orderBy('id', 'desc')
      .first()
    assert.equal(audit.actor_type, 'system')
  })

  test('a queued backup is run by a job worker and listed', async ({ assert }) => {
    useClock(utc('2026-01-20T12:00:00Z'))
    const { backups } = await workspace()
    const catalog = await app.container.make(JobCatalog)
    const scheduler = JobScheduler.fromConfig(app)
    const failures: JobRunReport[] = []
    scheduler.work(
      catalog.all().filter((job) => job.name.startsWith('backups:')),
      { onRun: (report) => report.error !== undefined && failures.push(report) }
    )
    /** A failed job fails the test at once, with its error, instead of at the deadline. */
    const unlessFailed = async <T>(probe: () => Promise<T>) => {
      if (failures.length > 0) throw failures[0].error
      return probe()
    }
    try {
      const queued = await backups.queue('panel', null)
      assert.equal(queued.status, 'queued')
      const done = await eventually(async () => {
        const row = await unlessFailed(() => Backup.find(queued.id))
        return row && ['succeeded', 'failed'].includes(row.status) ? row : null
      })
      assert.equal(done.status, 'succeeded', done.error ?? '')
      assert.equal(done.trigger, 'panel')
      assert.equal(done.progress, 100)
      const [entry] = await backups.list()
      assert.equal(entry.name, done.name)
      assert.equal(entry.status, 'succeeded')
      assert.equal(entry.sizeBytes, done.sizeBytes)

      // And a queued restore, by name, as an admin.
      const marker = await Product.create({ name: 'Gone after the restore', slug: unique('gone') })
      await backups.queueRestore(done.name!, { type: 'admin', id: 1 })
      // The audit log itself is restored, so the new row is found by what it says.
      const restored = await eventually(() =>
        unlessFailed(() =>
          db
            .from('audit_logs')
            .where('action', 'backup.restored')
            .where('subject_id', done.name!)
            .where('actor_id', '1')
            .first()
            // While the schema is being replaced, the table may be briefly gone.
            .catch(() => null)
        )
      )
      assert.equal(restored.actor_type, 'admin')
      assert.isNull(await Product.find(marker.id))
    } finally {
      await scheduler.close()
    }
    assert.throws(() => backups.archivePath('../../etc/passwd'), /No backup named/)
    assert.throws(() => backups.archivePath('keyward-20000101T000000Z.tar'), /No backup named/)
  }).timeout(120_000)

  test('retention keeps the configured days and weeks and the newest verified archive', async ({
    assert,
  }) => {
    const clock = useClock(utc('2026-03-01T03:00:00Z'))
    const { backups, settings } = await workspace({ keepDaily: 2, keepWeekly: 0 })
    const first = await backups.create({ trigger: 'cli' })
    await backups.verify(first.name!)
    for (const day of ['2026-03-02', '2026-03-03', '2026-03-04']) {
      clock.set(utc(`${day}T03:00:00Z`))
      await backups.create({ trigger: 'cli' })
    }
    // The same day twice: only the newer of the two counts.
    clock.set(utc('2026-03-04T15:00:00Z'))
    await backups.create({ trigger: 'cli' })

    const names = (await backups.list()).map((entry) => entry.name)
    assert.deepEqual(names, [
      'keyward-20260304T150000Z.kwbackup',
      'keyward-20260303T030000Z.kwbackup',
      'keyward-20260301T030000Z.kwbackup', // the newest verified one
    ])
    const pruned = await Backup.query()
      .where('name', 'keyward-20260302T030000Z.kwbackup')
      .firstOrFail()
    assert.isNotNull(pruned.prunedAt)
    assert.deepEqual(await readdir(settings.dir), names.toSorted())

    // --dry-run deletes nothing; the same run without it deletes what it named.
    app.container.swap(
      BackupSettings,
      () => new BackupSettings({ ...settings, keepDaily: 1, keepWeekly: 0 })
    )
    const dry = await runCommand(BackupPrune, ['--dry-run'])
    assert.match(logsOf(dry), /would delete keyward-20260303T030000Z\.kwbackup/)
    assert.lengthOf(await readdir(settings.dir), 3)
    const real = await runCommand(BackupPrune, [])
    assert.match(logsOf(real), /deleted keyward-20260303T030000Z\.kwbackup/)
    assert.deepEqual(await readdir(settings.dir), [
      'keyward-20260301T030000Z.kwbackup',
      'keyward-20260304T150000Z.kwbackup',
    ])
    const list = await runCommand(BackupList, [])
    assert.match(logsOf(list), /keyward-20260304T150000Z\.kwbackup/)
  }).timeout(120_000)

  test('the upload command gets the archive; a failing one is recorded, the backup stands', async ({
    assert,
  }) => {
    const offsite = await mkdtemp(join(tmpdir(), 'keyward-offsite-'))
    folders.push(offsite)
    useClock(utc('2026-03-10T03:00:00Z'))
    const { backups } = await workspace({
      uploadCommand: `cp "$BACKUP_FILE" '${offsite}/' && test "$1" = "$BACKUP_FILE"`,
    })
    const uploaded = await backups.create({ trigger: 'cli' })
    assert.isNotNull(uploaded.uploadedAt)
    assert.isNull(uploaded.uploadError)
    assert.deepEqual(await readdir(offsite), [uploaded.name])
    assert.equal((await digestFile(join(offsite, uploaded.name!))).sha256, uploaded.sha256)

    useClock(utc('2026-03-11T03:00:00Z'))
    const failing = await workspace({
      uploadCommand:
        'echo "connecting to remote" >&2; echo "remote refused: quota exceeded" >&2; exit 3',
    })
    const row = await failing.backups.create({ trigger: 'cli' })
    assert.equal(row.status, 'succeeded')
    assert.isNull(row.uploadedAt)
    assert.match(row.uploadError!, /exit code 3/)
    assert.match(row.uploadError!, /remote refused: quota exceeded/)
    const audit = await db
      .from('audit_logs')
      .where('action', 'backup.created')
      .orderBy('id', 'desc')
      .first()
    assert.equal(audit.after.uploadError, row.uploadError)
  })
})
