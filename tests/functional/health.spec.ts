import { createServer, type Server, type Socket } from 'node:net'
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import type { HealthConfig } from '#config/health'
import Backup from '#models/backup'
import readiness from '#services/readiness/readiness'
import WorkerPresence from '#services/worker_presence'
import { Clock, FixedClock } from '#support/clock'
import { freePort } from '../../bin/preflight.ts'
import { baseUrl } from '#tests/support/fixtures'
import { startServerProcess, type ServerProcess } from '#tests/support/server_process'

interface OperatorBody {
  status: 'ok' | 'error'
  finishedAt: string
  checks: Array<{
    name: string
    status: 'ok' | 'warning' | 'error'
    message: string
    meta: Record<string, unknown>
    cached: boolean
  }>
}

const ALL_CHECKS = [
  'database',
  'redis',
  'migrations',
  'backup',
  'job_worker',
  'disk',
  'backup_disk',
  'heap',
]

async function ready(base = baseUrl(), headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/health/ready`, { headers })
  return { status: response.status, body: (await response.json()) as OperatorBody }
}

function check(body: OperatorBody, name: string) {
  const found = body.checks.find((entry) => entry.name === name)
  if (!found) throw new Error(`no check "${name}" in ${JSON.stringify(body)}`)
  return found
}

const health = () => app.config.get<HealthConfig>('health')

/** Changes one readiness setting of the test's own server, and puts it back afterwards. */
function setHealth<K extends keyof HealthConfig>(
  key: K,
  value: HealthConfig[K],
  cleanup: (fn: () => void) => void
) {
  const before = health()[key]
  app.config.set(`health.${key}`, value)
  readiness.forget()
  cleanup(() => {
    app.config.set(`health.${key}`, before)
    readiness.forget()
  })
}

function useClock(now: DateTime, cleanup: (fn: () => void) => void) {
  const clock = new FixedClock(now)
  app.container.swap(Clock, () => clock)
  readiness.forget()
  cleanup(() => {
    app.container.restore(Clock)
    readiness.forget()
  })
  return clock
}

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }) as DateTime<true>

async function recordBackup(status: 'succeeded' | 'failed', finishedAt: DateTime, error?: string) {
  return Backup.create({
    name: status === 'succeeded' ? `keyward-${finishedAt.toMillis()}.tar.enc` : null,
    status,
    trigger: 'schedule',
    phase: 'done',
    progress: 100,
    sizeBytes: status === 'succeeded' ? 4096 : null,
    encrypted: true,
    error: error ?? null,
    createdAt: finishedAt.minus({ minutes: 1 }),
    startedAt: finishedAt.minus({ minutes: 1 }),
    finishedAt,
  })
}

test.group('Readiness (the test server)', (group) => {
  group.each.setup(async () => {
    await Backup.query().delete()
    await redis.del('jobs:workers')
    readiness.forget()
    return async () => {
      await Backup.query().delete()
      await redis.del('jobs:workers')
      readiness.forget()
    }
  })

  test('/health is a liveness probe that answers ok', async ({ assert }) => {
    const response = await fetch(`${baseUrl()}/health`)
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { status: 'ok' })
  })

  test('with everything well it is ready: 200, and an operator sees every check', async ({
    assert,
  }) => {
    const { status, body } = await ready()
    assert.equal(status, 200, JSON.stringify(body))
    assert.equal(body.status, 'ok')
    assert.sameMembers(
      body.checks.map((entry) => entry.name),
      ALL_CHECKS
    )
    for (const name of ['database', 'redis', 'migrations', 'disk', 'backup_disk', 'heap']) {
      assert.equal(check(body, name).status, 'ok', JSON.stringify(check(body, name)))
    }
    // A fresh install (no backup yet, no worker yet) is ready, with warnings.
    assert.equal(check(body, 'backup').status, 'warning')
    assert.match(check(body, 'backup').message, /no backup/)
    assert.equal(check(body, 'job_worker').status, 'warning')
    assert.isAbove(Number(check(body, 'migrations').meta.total), 9)
  })

  test('a migration that has not run makes it not ready', async ({ assert, cleanup }) => {
    const last = await db.from('adonis_schema').orderBy('id', 'desc').first()
    await db.from('adonis_schema').where('id', last.id).delete()
    cleanup(async () => {
      await db.table('adonis_schema').insert(last)
      readiness.forget()
    })
    readiness.forget()

    const { status, body } = await ready()
    assert.equal(status, 503)
    assert.equal(body.status, 'error')
    const migrations = check(body, 'migrations')
    assert.equal(migrations.status, 'error')
    assert.deepEqual(migrations.meta.pending, [last.name])
    assert.match(migrations.message, /migration:run/)
  })

  test('the migrations result is cached for a while, the database is asked every time', async ({
    assert,
    cleanup,
  }) => {
    await ready()
    const last = await db.from('adonis_schema').orderBy('id', 'desc').first()
    await db.from('adonis_schema').where('id', last.id).delete()
    cleanup(async () => {
      await db.table('adonis_schema').insert(last)
      readiness.forget()
    })
    const { status, body } = await ready()
    assert.equal(status, 200)
    assert.equal(check(body, 'migrations').status, 'ok')
    assert.isTrue(check(body, 'migrations').cached)
    assert.isFalse(check(body, 'database').cached)
  })

  test('a recent successful backup is ok; past HEALTH_MAX_BACKUP_AGE it warns, still ready', async ({
    assert,
    cleanup,
  }) => {
    const finished = utc('2026-12-01T03:00:00Z')
    await recordBackup('succeeded', finished)
    const clock = useClock(finished.plus({ hours: 25 }), cleanup)

    let { status, body } = await ready()
    assert.equal(status, 200, JSON.stringify(body))
    assert.equal(check(body, 'backup').status, 'ok')
    assert.equal(check(body, 'backup').meta.ageSeconds, 25 * 3600)

    clock.set(finished.plus({ hours: 26, minutes: 1 }))
    readiness.forget()
    ;({ status, body } = await ready())
    assert.equal(status, 200)
    assert.equal(check(body, 'backup').status, 'warning')
    assert.match(check(body, 'backup').message, /older than 26 h/)
  })

  test('a failed last backup warns, even when an older one succeeded; still ready', async ({
    assert,
    cleanup,
  }) => {
    const now = utc('2026-12-02T04:00:00Z')
    useClock(now, cleanup)
    await recordBackup('succeeded', now.minus({ hours: 2 }))
    await recordBackup('failed', now.minus({ hours: 1 }), 'pg_dump: connection refused')

    const { status, body } = await ready()
    assert.equal(status, 200)
    assert.equal(check(body, 'backup').status, 'warning')
    assert.match(check(body, 'backup').message, /last backup failed.*pg_dump: connection refused/)
  })

  test('a job worker seen recently is ok; silent past HEALTH_MAX_WORKER_SILENCE it warns', async ({
    assert,
    cleanup,
  }) => {
    const now = utc('2026-12-02T12:00:00Z')
    const clock = useClock(now, cleanup)
    await new WorkerPresence().beat('worker-host:4242', now.minus({ seconds: 30 }).toMillis())

    let { status, body } = await ready()
    assert.equal(status, 200, JSON.stringify(body))
    assert.equal(check(body, 'job_worker').status, 'ok')
    assert.equal(check(body, 'job_worker').meta.silentSeconds, 30)

    clock.set(now.plus({ minutes: 2 }))
    readiness.forget()
    ;({ status, body } = await ready())
    assert.equal(status, 200)
    assert.equal(check(body, 'job_worker').status, 'warning')
    assert.match(check(body, 'job_worker').message, /more than 2 min/)
  })

  test('a disk fuller than HEALTH_DISK_MAX_USED_PERCENT fails', async ({ assert, cleanup }) => {
    // No disk is 0 % used: a limit of 1 % is exceeded by the machine's own disk.
    setHealth('diskMaxUsedPercent', 1, cleanup)
    const { status, body } = await ready()
    assert.equal(status, 503)
    assert.equal(check(body, 'disk').status, 'error')
    assert.equal(check(body, 'backup_disk').status, 'error')
    assert.match(check(body, 'disk').message, /above the threshold of 1%/)
  })

  test('/metrics carries the readiness as keyward_ready (1 ready, 0 not)', async ({
    assert,
    cleanup,
  }) => {
    const readyGauge = async () => {
      const text = await (await fetch(`${baseUrl()}/metrics`)).text()
      return /^keyward_ready (\d+)$/m.exec(text)?.[1]
    }
    assert.equal(await readyGauge(), '1')
    setHealth('heapMaxBytes', 1024 * 1024, cleanup)
    assert.equal(await readyGauge(), '0')
  })

  test('a heap larger than HEALTH_HEAP_MAX fails', async ({ assert, cleanup }) => {
    setHealth('heapMaxBytes', 1024 * 1024, cleanup)
    const { status, body } = await ready()
    assert.equal(status, 503)
    assert.equal(check(body, 'heap').status, 'error')
  })
})

test.group('Readiness (server processes with a dependency away)', (group) => {
  const token = 'health-test-token-0123456789abcdef'
  let noDatabase: ServerProcess
  let noRedis: ServerProcess
  let hungDatabase: ServerProcess
  let blackHole: Server
  const held = new Set<Socket>()

  group.each.timeout(60_000)
  group.setup(async () => {
    const closedPort = await freePort()
    const closedRedisPort = await freePort()
    // A "database" that accepts connections and never answers.
    blackHole = createServer((socket) => {
      held.add(socket)
      socket.on('close', () => held.delete(socket))
    })
    await new Promise<void>((resolve) => blackHole.listen(0, '127.0.0.1', resolve))
    const hungPort = (blackHole.address() as { port: number }).port
    ;[noDatabase, noRedis, hungDatabase] = await Promise.all([
      startServerProcess({
        DATABASE_URL: `postgres://postgres@127.0.0.1:${closedPort}/keyward`,
        // This test reaches the server from 127.0.0.1: not an allowed address here.
        METRICS_ALLOW: '192.0.2.1',
        METRICS_TOKEN: token,
      }),
      startServerProcess({ REDIS_URL: `redis://127.0.0.1:${closedRedisPort}/0` }),
      startServerProcess({ DATABASE_URL: `postgres://postgres@127.0.0.1:${hungPort}/keyward` }),
    ])
    return async () => {
      await Promise.all([noDatabase?.stop(), noRedis?.stop(), hungDatabase?.stop()])
      for (const socket of held) socket.destroy()
      await new Promise((resolve) => blackHole.close(resolve))
    }
  })

  test('PostgreSQL away: 503 naming `database` to an operator with the token', async ({
    assert,
  }) => {
    const { status, body } = await ready(noDatabase.url, { authorization: `Bearer ${token}` })
    assert.equal(status, 503)
    assert.equal(body.status, 'error')
    assert.equal(check(body, 'database').status, 'error')
    assert.equal(check(body, 'redis').status, 'ok')
  })

  test('PostgreSQL away: without the token, from an address not allowed, only the status', async ({
    assert,
  }) => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: token },
    ]
    for (const headers of attempts) {
      const { status, body } = await ready(noDatabase.url, headers)
      assert.equal(status, 503)
      assert.deepEqual(body, { status: 'error' } as unknown as OperatorBody)
    }
  })

  test('PostgreSQL away: /health stays 200', async ({ assert }) => {
    const response = await fetch(`${noDatabase.url}/health`)
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { status: 'ok' })
  })

  test('Redis away: 503 naming `redis` to an operator from an allowed address', async ({
    assert,
  }) => {
    const { status, body } = await ready(noRedis.url)
    assert.equal(status, 503)
    assert.equal(check(body, 'redis').status, 'error')
    assert.equal(check(body, 'database').status, 'ok')
    assert.equal(check(body, 'job_worker').status, 'error')
    const live = await fetch(`${noRedis.url}/health`)
    assert.equal(live.status, 200)
  })

  test('a malformed HEALTH_* setting or METRICS_ALLOW entry stops the boot, naming it', async ({
    assert,
  }) => {
    const attempts: Array<[Record<string, string>, RegExp]> = [
      [{ HEALTH_MAX_BACKUP_AGE: 'a day' }, /HEALTH_MAX_BACKUP_AGE must be a duration/],
      [{ HEALTH_DISK_MAX_USED_PERCENT: '120' }, /HEALTH_DISK_MAX_USED_PERCENT must be/],
      [{ HEALTH_HEAP_MAX: 'lots' }, /HEALTH_HEAP_MAX must be a size/],
      [{ METRICS_ALLOW: '127.0.0.1,10.0.0.0/33' }, /METRICS_ALLOW: "10\.0\.0\.0\/33"/],
    ]
    await Promise.all(
      attempts.map(async ([env, message]) => {
        await assert.rejects(() => startServerProcess(env), message)
      })
    )
  })

  test('a database that never answers: the probe answers within the check time limit', async ({
    assert,
  }) => {
    const started = performance.now()
    const { status, body } = await ready(hungDatabase.url)
    const elapsed = performance.now() - started
    assert.equal(status, 503)
    assert.equal(check(body, 'database').status, 'error')
    assert.match(check(body, 'database').message, /no answer within 2\.0 s/)
    assert.isBelow(elapsed, 4000)
  })
})
