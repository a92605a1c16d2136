import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import { Queue } from 'bullmq'
import { DateTime } from 'luxon'
import ace from '@adonisjs/core/services/ace'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type redisConfig from '#config/redis'
import type sessionsConfig from '#config/sessions'
import {
  definePluginsConfig,
  type JobDefinition,
  type JobHandler,
} from '#plugin_host/define_plugin'
import PluginHost, { discoverPlugins } from '#plugin_host/plugin_host'
import JobScheduler, {
  bullmqOptionsFrom,
  JobCatalog,
  UnknownJobError,
  type JobRunReport,
} from '#services/job_scheduler'
import { SessionLedger } from '#services/session_ledger'
import { Clock, FixedClock } from '#support/clock'
import { coreJobs } from '#start/jobs'
import { spawnTracked } from '#tests/support/child_processes'
import { createLicense, unique } from '#tests/support/fixtures'
import JobsList from '../../app/commands/jobs_list.ts'
import JobsRun from '../../app/commands/jobs_run.ts'

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }) as DateTime<true>
const sessions = () => app.config.get<typeof sessionsConfig>('sessions')

function useClock(now: DateTime) {
  const clock = new FixedClock(now)
  app.container.swap(Clock, () => clock)
  return clock
}

/** Runs a core job's handler the way the worker does, at the clock's time. */
async function runCoreJob(name: string) {
  const job = coreJobs.find((candidate) => candidate.name === name)!
  const { default: handler } = await job.handler()
  const clock = await app.container.make(Clock)
  return handler({ app, scheduledAt: clock.now().toJSDate() }) as Promise<any>
}

const licenseWithRoom = () => createLicense({ type: 'perpetual', maxDevices: 10, maxSessions: 10 })

async function createDevice(licenseId: number) {
  const [device] = await db
    .table('devices')
    .insert({ license_id: licenseId, fingerprint: unique('fp-jobs') })
    .returning('id')
  return device.id as number
}

const tokenHash = () => randomBytes(32).toString('hex')

/** A session not yet ended, as the session engine would have stored it. */
async function insertLiveSession(
  licenseId: number,
  deviceId: number,
  times: { startedAt: DateTime; lastHeartbeatAt?: DateTime; expiresAt: DateTime }
) {
  const [row] = await db
    .table('license_sessions')
    .insert({
      license_id: licenseId,
      device_id: deviceId,
      fingerprint: 'fp',
      token_hash: tokenHash(),
      token_sealed: 'sealed',
      policy: 'resumable',
      heartbeat_interval: 30,
      session_timeout: 60,
      started_at: times.startedAt.toJSDate(),
      last_heartbeat_at: (times.lastHeartbeatAt ?? times.startedAt).toJSDate(),
      expires_at: times.expiresAt.toJSDate(),
    })
    .returning('id')
  return row.id as number
}

/** An ended session; its id comes from the live table's sequence, as a moved row's would. */
async function insertEndedSession(
  licenseId: number,
  deviceId: number,
  times: { startedAt: DateTime; endedAt: DateTime }
) {
  await db.rawQuery(
    `INSERT INTO session_history (id, license_id, device_id, fingerprint, token_hash, policy,
       started_at, last_heartbeat_at, ended_at, end_reason)
     VALUES (nextval(pg_get_serial_sequence('license_sessions', 'id')), ?, ?, 'fp', ?,
       'resumable', ?, ?, ?, 'normal')`,
    [
      licenseId,
      deviceId,
      tokenHash(),
      times.startedAt.toJSDate(),
      times.startedAt.toJSDate(),
      times.endedAt.toJSDate(),
    ]
  )
}

async function insertHeartbeats(licenseId: number, times: DateTime[]) {
  await db
    .table('session_heartbeats')
    .multiInsert(times.map((at) => ({ session_id: 0, license_id: licenseId, at: at.toJSDate() })))
}

async function usageOf(licenseIds: number[]) {
  const rows = await db
    .from('license_usage_hourly')
    .whereIn('license_id', licenseIds)
    .orderBy([{ column: 'license_id' }, { column: 'hour' }])
  return rows.map((row) => ({
    license: row.license_id as number,
    hour: (row.hour as Date).toISOString(),
    sessions: row.sessions as number,
    devices: row.devices as number,
    heartbeats: row.heartbeats as number,
  }))
}

async function partitionsLike(pattern: string): Promise<string[]> {
  const result = await db.rawQuery(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'heartbeat_partitions'
       AND tablename LIKE ? ORDER BY tablename`,
    [pattern]
  )
  return result.rows.map((row: { tablename: string }) => row.tablename)
}

async function dropPartitions(names: string[]) {
  for (const name of names) {
    await db.rawQuery(`DROP TABLE IF EXISTS heartbeat_partitions.${name}`)
  }
}

test.group('Jobs: sessions:sweep', (group) => {
  group.each.teardown(() => app.container.restore(Clock))

  test('moves only expired sessions, as timeout, ended when they expired', async ({ assert }) => {
    const now = DateTime.utc().startOf('second')
    useClock(now)
    const license = await licenseWithRoom()
    const device = await createDevice(license.id)
    const expiredAt = now.minus({ minutes: 4 })
    const expired = await insertLiveSession(license.id, device, {
      startedAt: now.minus({ minutes: 10 }),
      lastHeartbeatAt: now.minus({ minutes: 5 }),
      expiresAt: expiredAt,
    })
    const live = await insertLiveSession(license.id, device, {
      startedAt: now.minus({ minutes: 1 }),
      lastHeartbeatAt: now.minus({ seconds: 30 }),
      expiresAt: now.plus({ seconds: 30 }),
    })

    const result = await runCoreJob('sessions:sweep')
    assert.isAtLeast(result.moved, 1)

    const remaining = await db.from('license_sessions').where('license_id', license.id)
    assert.deepEqual(
      remaining.map((row) => row.id),
      [live]
    )
    const ended = await db.from('session_history').where('license_id', license.id)
    assert.lengthOf(ended, 1)
    assert.equal(ended[0].id, expired)
    assert.equal(ended[0].end_reason, 'timeout')
    assert.equal(ended[0].ended_at.toISOString(), expiredAt.toJSDate().toISOString())
  })

  test('two sweeps at the same moment: one does the work, the other returns null', async ({
    assert,
  }) => {
    const now = DateTime.utc().startOf('second')
    const license = await licenseWithRoom()
    const device = await createDevice(license.id)
    const expired = await insertLiveSession(license.id, device, {
      startedAt: now.minus({ minutes: 3 }),
      expiresAt: now.minus({ minutes: 1 }),
    })

    /**
     * Holding the expired row keeps whichever sweep takes the advisory lock
     * busy until released, so the two sweeps truly overlap.
     */
    const holder = await db.transaction()
    await holder.rawQuery('SELECT id FROM license_sessions WHERE id = ? FOR UPDATE', [expired])
    const ledger = await app.container.make(SessionLedger)
    const sweeps = [ledger.sweepExpired(now.toJSDate()), ledger.sweepExpired(now.toJSDate())]
    let first: number | null
    try {
      first = await Promise.race(sweeps)
    } finally {
      await holder.commit()
    }
    const results = await Promise.all(sweeps)

    assert.isNull(first)
    assert.equal(results.filter((result) => result === null).length, 1)
    assert.isAtLeast(
      results.find((result) => result !== null)!,
      1
    )
    const ended = await db.from('session_history').where('id', expired).first()
    assert.equal(ended.end_reason, 'timeout')
  })
})

test.group('Jobs: heartbeats:partitions', (group) => {
  group.each.teardown(async () => {
    app.container.restore(Clock)
    await dropPartitions(await partitionsLike('session_heartbeats_y2001m%'))
  })

  test('creates the months ahead and drops those past retention', async ({ assert }) => {
    const { partitionsAhead, heartbeatRetentionDays } = sessions()
    assert.equal(partitionsAhead, 3)
    assert.equal(heartbeatRetentionDays, 90)
    // Three old months, as if the log had been running back then.
    await db.rawQuery(`SELECT ensure_heartbeat_partitions('2001-01-01T00:00:00Z', 2)`)
    const currentPartitions = await partitionsLike('session_heartbeats_y20__m__')

    // 90 days before 15 June is 17 March: January and February are past.
    useClock(utc('2001-06-15T12:00:00Z'))
    const result = await runCoreJob('heartbeats:partitions')
    assert.deepEqual(result, {
      created: [
        'session_heartbeats_y2001m06',
        'session_heartbeats_y2001m07',
        'session_heartbeats_y2001m08',
        'session_heartbeats_y2001m09',
      ],
      dropped: ['session_heartbeats_y2001m01', 'session_heartbeats_y2001m02'],
    })
    assert.deepEqual(await partitionsLike('session_heartbeats_y2001m%'), [
      'session_heartbeats_y2001m03',
      'session_heartbeats_y2001m06',
      'session_heartbeats_y2001m07',
      'session_heartbeats_y2001m08',
      'session_heartbeats_y2001m09',
    ])
    // The months of today are untouched.
    assert.includeMembers(await partitionsLike('session_heartbeats_y20__m__'), [
      ...currentPartitions.filter((name) => !/y2001m0[12]$/.test(name)),
    ])

    assert.deepEqual(await runCoreJob('heartbeats:partitions'), { created: [], dropped: [] })
  })

  test('a partition created by the job takes heartbeats of its month', async ({ assert }) => {
    useClock(utc('2001-06-15T12:00:00Z'))
    await runCoreJob('heartbeats:partitions')
    const license = await licenseWithRoom()
    await insertHeartbeats(license.id, [utc('2001-07-04T10:00:00Z')])
    const stored = await db.rawQuery(
      `SELECT count(*) AS total FROM heartbeat_partitions.session_heartbeats_y2001m07
       WHERE license_id = ?`,
      [license.id]
    )
    assert.equal(stored.rows[0].total, 1)
  })
})

test.group('Jobs: usage:hourly', (group) => {
  const licenseIds: number[] = []
  let createdPartitions: string[] = []

  group.setup(async () => {
    // Heartbeats of the far future need partitions; these go when the group ends.
    const created = await db.rawQuery(
      `SELECT name FROM ensure_heartbeat_partitions('2150-03-01T00:00:00Z', 1) AS created(name)`
    )
    createdPartitions = created.rows.map((row: { name: string }) => row.name)
    return async () => {
      await db.from('license_usage_hourly').whereIn('license_id', licenseIds).delete()
      await db.from('license_sessions').whereIn('license_id', licenseIds).delete()
      await dropPartitions(createdPartitions)
    }
  })
  group.each.teardown(() => app.container.restore(Clock))

  const newLicense = async () => {
    const license = await licenseWithRoom()
    licenseIds.push(license.id)
    return license.id
  }

  test('figures per license and hour; running again changes nothing', async ({ assert }) => {
    const hour = utc('2150-03-10T10:00:00Z')
    const at = (minutes: number) => hour.plus({ minutes })
    const first = await newLicense()
    const [d1, d2] = [await createDevice(first), await createDevice(first)]
    await insertEndedSession(first, d1, { startedAt: at(-30), endedAt: at(15) })
    await insertEndedSession(first, d1, { startedAt: at(20), endedAt: at(90) })
    // Ends on the hour: not part of the next one.
    await insertEndedSession(first, d2, { startedAt: at(50), endedAt: at(120) })
    await insertLiveSession(first, d2, { startedAt: at(150), expiresAt: at(300) })
    await insertHeartbeats(first, [
      at(-10),
      at(5),
      at(10),
      at(25),
      at(60),
      at(70),
      at(160),
      at(170),
    ])

    const second = await newLicense()
    const d3 = await createDevice(second)
    await insertEndedSession(second, d3, { startedAt: at(65), endedAt: at(85) })
    // A late beat with no session in its hour still counts.
    await insertHeartbeats(second, [at(75), at(125)])

    // 13:10: the full hours run to 12:00; 13:00 is not over.
    useClock(at(190))
    const run = await runCoreJob('usage:hourly')
    assert.equal(run.to, '2150-03-10T12:00:00.000Z')
    assert.isAtLeast(run.rowsWritten, 6)

    const expected = [
      [first, '2150-03-10T09:00:00.000Z', 1, 1, 1],
      [first, '2150-03-10T10:00:00.000Z', 3, 2, 3],
      [first, '2150-03-10T11:00:00.000Z', 2, 2, 2],
      [first, '2150-03-10T12:00:00.000Z', 1, 1, 2],
      [second, '2150-03-10T11:00:00.000Z', 1, 1, 1],
      [second, '2150-03-10T12:00:00.000Z', 0, 0, 1],
    ].map(([license, hourIso, sessionCount, devices, heartbeats]) => ({
      license: license as number,
      hour: hourIso as string,
      sessions: sessionCount as number,
      devices: devices as number,
      heartbeats: heartbeats as number,
    }))
    assert.deepEqual(await usageOf([first, second]), expected)

    const again = await runCoreJob('usage:hourly')
    assert.deepEqual(again, {
      from: '2150-03-10T12:00:00.000Z',
      to: '2150-03-10T12:00:00.000Z',
      hours: 1,
      rowsWritten: 0,
    })
    assert.deepEqual(await usageOf([first, second]), expected)
  })

  test('after hours without a run, every missed hour is filled in', async ({ assert }) => {
    const start = utc('2150-04-01T00:00:00Z')
    const at = (minutes: number) => start.plus({ minutes })
    const license = await newLicense()
    const device = await createDevice(license)
    await insertEndedSession(license, device, { startedAt: at(10), endedAt: at(40) })
    await insertHeartbeats(license, [at(20)])
    useClock(at(65))
    await runCoreJob('usage:hourly')
    assert.lengthOf(await usageOf([license]), 1)

    // The worker is down from 01:05 to 07:05 while a session runs.
    await insertEndedSession(license, device, { startedAt: at(75), endedAt: at(390) })
    await insertHeartbeats(license, [90, 150, 210, 270, 330, 375].map(at))
    useClock(at(425))
    const run = await runCoreJob('usage:hourly')
    assert.deepEqual(run, {
      from: '2150-04-01T00:00:00.000Z',
      to: '2150-04-01T06:00:00.000Z',
      hours: 7,
      rowsWritten: 6,
    })
    const usage = await usageOf([license])
    assert.deepEqual(
      usage.map((row) => [row.hour.slice(11, 13), row.sessions, row.devices, row.heartbeats]),
      ['00', '01', '02', '03', '04', '05', '06'].map((hourOfDay) => [hourOfDay, 1, 1, 1])
    )
  })

  test('catching up never goes further back than the heartbeat retention', async ({ assert }) => {
    const now = utc('2151-01-01T00:30:00Z')
    // The newest figures are from June, more than 90 days before now.
    const license = await newLicense()
    await db.table('license_usage_hourly').insert({
      license_id: license,
      hour: utc('2150-06-01T00:00:00Z').toJSDate(),
      sessions: 1,
      devices: 1,
      heartbeats: 0,
    })
    useClock(now)
    const run = await runCoreJob('usage:hourly')
    const retentionHours = sessions().heartbeatRetentionDays * 24
    assert.equal(run.from, now.startOf('hour').minus({ hours: retentionHours }).toISO())
    assert.equal(run.hours, retentionHours)
  })
})

test.group('Jobs: scheduler', () => {
  const fixtures = app.makePath('tests/fixtures/plugins')
  const hostWith = async (enabled: string[]) =>
    new PluginHost(await discoverPlugins(fixtures), definePluginsConfig({ enabled }))

  /** A queue of this test only, under the run's prefix, cleared afterwards. */
  function testScheduler(cleanup: (callback: () => Promise<void>) => void) {
    const queueName = unique('jobs-test')
    const scheduler = JobScheduler.fromConfig(app, { queueName })
    const options = bullmqOptionsFrom(app.config.get<typeof redisConfig>('redis'))
    const inspector = new Queue(queueName, options)
    cleanup(async () => {
      await scheduler.close()
      await inspector.obliterate({ force: true })
      await inspector.close()
    })
    return { scheduler, inspector }
  }

  test('BullMQ keys live under the run’s Redis prefix', ({ assert }) => {
    const { prefix, connection } = bullmqOptionsFrom(app.config.get<typeof redisConfig>('redis'))
    assert.equal(prefix, `${process.env.REDIS_KEY_PREFIX!.replace(/:$/, '')}:bull`)
    assert.isNull(connection.maxRetriesPerRequest)
  })

  test('schedules every job and removes those no longer listed', async ({ assert, cleanup }) => {
    const { scheduler, inspector } = testScheduler(cleanup)
    const withPlugin = new JobCatalog(await hostWith(['fixture-pages'])).all()
    assert.deepEqual(
      withPlugin.map((job) => [job.name, job.plugin]),
      [
        ['sessions:sweep', null],
        ['heartbeats:partitions', null],
        ['usage:upkeep', null],
        ['usage:hourly', null],
        ['security:detect', null],
        ['security:partitions', null],
        ['backups:create', null],
        ['backups:restore', null],
        ['fixture-pages:tick', 'fixture-pages'],
      ]
    )

    const first = await scheduler.schedule(withPlugin)
    assert.deepEqual(first.removed, [])
    const byKey = async () => {
      const entries = await inspector.getJobSchedulers(0, -1)
      return Object.fromEntries(
        entries.map((entry) => [
          entry.key,
          { every: entry.every, pattern: entry.pattern, tz: entry.tz },
        ])
      )
    }
    assert.deepEqual(await byKey(), {
      'sessions:sweep': { every: 5000, pattern: undefined, tz: undefined },
      'heartbeats:partitions': { every: undefined, pattern: '17 3 * * *', tz: 'UTC' },
      'usage:upkeep': { every: undefined, pattern: '41 * * * *', tz: 'UTC' },
      'usage:hourly': { every: undefined, pattern: '5 * * * *', tz: 'UTC' },
      'security:detect': { every: 60_000, pattern: undefined, tz: undefined },
      'security:partitions': { every: undefined, pattern: '23 3 * * *', tz: 'UTC' },
      // BACKUP_SCHEDULE in BACKUP_TIMEZONE; backups:restore is manual: enqueued, never scheduled.
      'backups:create': { every: undefined, pattern: '0 3 * * *', tz: 'UTC' },
      'fixture-pages:tick': { every: 3_600_000, pattern: undefined, tz: undefined },
    })

    // The plugin is disabled and the sweep is made faster.
    const withoutPlugin = new JobCatalog(await hostWith([]))
      .all()
      .map((job) => (job.name === 'sessions:sweep' ? { ...job, every: '2s' } : job))
    const second = await scheduler.schedule(withoutPlugin)
    assert.deepEqual(second.removed, ['fixture-pages:tick'])
    const schedulers = await byKey()
    assert.sameMembers(Object.keys(schedulers), [
      'sessions:sweep',
      'heartbeats:partitions',
      'usage:upkeep',
      'usage:hourly',
      'security:detect',
      'security:partitions',
      'backups:create',
    ])
    assert.equal(schedulers['sessions:sweep'].every, 2000)
  })

  test('the worker runs each job by name with its handler', async ({ assert, cleanup }) => {
    const { scheduler, inspector } = testScheduler(cleanup)
    const failing: JobDefinition = {
      name: 'test:fails',
      description: 'Always fails',
      every: '1h',
      handler: async () => ({
        default: (async () => {
          throw new Error('boom')
        }) satisfies JobHandler,
      }),
    }
    const jobs = [...new JobCatalog(await hostWith(['fixture-pages'])).all(), failing]

    const reports: JobRunReport[] = []
    const waiting = new Map<string, (report: JobRunReport) => void>()
    const reportOf = (name: string) =>
      new Promise<JobRunReport>((resolve) => {
        const seen = reports.find((report) => report.name === name)
        if (seen) resolve(seen)
        else waiting.set(name, resolve)
      })
    scheduler.work(jobs, {
      onRun: (report) => {
        reports.push(report)
        waiting.get(report.name)?.(report)
      },
    })

    await inspector.add('fixture-pages:tick', {})
    await inspector.add('test:fails', {})
    await inspector.add('no-such-job', {})
    const tick = await reportOf('fixture-pages:tick')
    const failed = await reportOf('test:fails')
    const unknown = await reportOf('no-such-job')

    assert.equal(tick.result, 'ticked')
    assert.isUndefined(tick.error)
    assert.isAtLeast(tick.durationMs, 0)
    assert.equal((failed.error as Error).message, 'boom')
    assert.instanceOf(unknown.error, UnknownJobError)
  })
})

test.group('Jobs: commands', (group) => {
  group.each.teardown(() => app.container.restore(Clock))

  test('jobs:list shows the core jobs and their schedules', async ({ assert }) => {
    const command = await ace.create(JobsList, ['--json'])
    command.ui.switchMode('raw')
    await command.exec()
    command.assertSucceeded()
    const [output] = command.logger.getLogs().map((log) => log.message)
    const listed: { name: string; plugin: string }[] = JSON.parse(output)
    // The enabled plugins' jobs follow the core's.
    assert.includeMembers(
      listed.filter((job) => job.plugin === 'notifications').map((job) => job.name),
      ['notifications:webhook', 'notifications:expiry']
    )
    assert.deepEqual(
      listed.filter((job) => job.plugin === 'core'),
      [
        {
          name: 'sessions:sweep',
          plugin: 'core',
          schedule: `every ${sessions().sweepEvery}`,
          description: 'Move expired sessions to the history as timeout',
        },
        {
          name: 'heartbeats:partitions',
          plugin: 'core',
          schedule: 'cron 17 3 * * * (UTC)',
          description: 'Create heartbeat partitions ahead, drop those past retention',
        },
        {
          name: 'usage:upkeep',
          plugin: 'core',
          schedule: 'cron 41 * * * * (UTC)',
          description:
            'Create usage event partitions ahead, drop those past retention; purge idempotency keys older than 24 h',
        },
        {
          name: 'usage:hourly',
          plugin: 'core',
          schedule: 'cron 5 * * * * (UTC)',
          description: 'Record per-license usage for each full hour, catching up missed hours',
        },
        {
          name: 'security:detect',
          plugin: 'core',
          schedule: 'every 1m',
          description:
            'Run the security detectors over recent events; open alerts, take automatic actions',
        },
        {
          name: 'security:partitions',
          plugin: 'core',
          schedule: 'cron 23 3 * * * (UTC)',
          description: 'Create security event partitions ahead, drop those past retention',
        },
        {
          name: 'backups:create',
          plugin: 'core',
          schedule: 'cron 0 3 * * * (UTC)',
          description:
            'Back up the database, lease keyring and plugin selection; verify, upload, prune',
        },
        {
          name: 'backups:restore',
          plugin: 'core',
          schedule: 'on demand',
          description: 'Restore a backup the panel asked for (no schedule: enqueued on demand)',
        },
      ]
    )
  })

  test('jobs:run runs one job now, in this process', async ({ assert }) => {
    const now = DateTime.utc().startOf('second')
    useClock(now)
    const license = await licenseWithRoom()
    const device = await createDevice(license.id)
    const expired = await insertLiveSession(license.id, device, {
      startedAt: now.minus({ minutes: 2 }),
      expiresAt: now.minus({ minutes: 1 }),
    })
    const command = await ace.create(JobsRun, ['sessions:sweep'])
    command.ui.switchMode('raw')
    await command.exec()
    command.assertSucceeded()
    assert.isAtLeast((command.result as { moved: number }).moved, 1)
    assert.exists(await db.from('session_history').where('id', expired).first())
  })

  test('jobs:run with an unknown name fails with the known names', async ({ assert }) => {
    const command = await ace.create(JobsRun, ['sessions:sweeep'])
    command.ui.switchMode('raw')
    await command.exec()
    assert.equal(command.exitCode, 1)
    command.assertLogMatches(/Unknown job "sessions:sweeep"\. Known jobs: sessions:sweep, /)
  })
})

test.group('Jobs: the worker process', () => {
  test('jobs:work sweeps an expired session within seconds', async ({ assert, cleanup }) => {
    const license = await licenseWithRoom()
    const device = await createDevice(license.id)
    const now = DateTime.utc()
    const expired = await insertLiveSession(license.id, device, {
      startedAt: now.minus({ minutes: 2 }),
      expiresAt: now.minus({ seconds: 1 }),
    })

    const worker = spawnTracked(process.execPath, ['ace.ts', 'jobs:work'], {
      cwd: app.makePath(),
      env: { ...process.env, NODE_ENV: 'test', SESSION_SWEEP_EVERY: '1s' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    worker.stdout!.on('data', (chunk) => (output += chunk))
    worker.stderr!.on('data', (chunk) => (output += chunk))
    const exited = new Promise<number | null>((resolve) => worker.once('exit', resolve))
    cleanup(async () => {
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL')
      const redis = app.config.get<typeof redisConfig>('redis')
      const queue = new Queue('keyward', bullmqOptionsFrom(redis))
      await queue.obliterate({ force: true })
      await queue.close()
    })

    const deadline = Date.now() + 15_000
    let ended = null
    while (!ended && Date.now() < deadline && worker.exitCode === null) {
      ended = await db.from('session_history').where('id', expired).first()
      if (!ended) await sleep(200)
    }
    assert.exists(ended, `the worker did not sweep in time; its output:\n${output}`)
    assert.equal(ended.end_reason, 'timeout')

    worker.kill('SIGTERM')
    assert.equal(await exited, 0, `the worker did not stop cleanly; its output:\n${output}`)
  }).timeout(40_000)
})
