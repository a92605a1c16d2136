import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { coreJobs } from '#start/jobs'
import { Clock } from '#support/clock'
import { newApiKey } from '#tests/support/fixtures'
import { restoreClock, useFixedClock } from '#tests/support/sessions'
import { createMeter, licenseFor } from '#tests/support/usage'

/** Runs `usage:upkeep` the way the worker does, at the clock's time. */
async function runUpkeep() {
  const job = coreJobs.find((candidate) => candidate.name === 'usage:upkeep')!
  const { default: handler } = await job.handler()
  const clock = await app.container.make(Clock)
  return handler({ app, scheduledAt: clock.now().toJSDate() }) as Promise<any>
}

async function partitionsLike(pattern: string): Promise<string[]> {
  const result = await db.rawQuery(
    `SELECT tablename FROM pg_tables WHERE schemaname = 'usage_partitions'
       AND tablename LIKE ? ORDER BY tablename`,
    [pattern]
  )
  return result.rows.map((row: { tablename: string }) => row.tablename)
}

test.group('Jobs: usage:upkeep', (group) => {
  group.each.teardown(async () => {
    restoreClock()
    for (const name of await partitionsLike('usage_events_y200_m__')) {
      await db.rawQuery(`DROP TABLE IF EXISTS usage_partitions.${name}`)
    }
  })

  test('creates the months ahead and drops those past the retention of 400 days', async ({
    assert,
  }) => {
    assert.equal(app.config.get('usage.eventRetentionDays'), 400)
    await db.rawQuery(`SELECT ensure_usage_partitions('2000-03-01T00:00:00Z', 2)`)
    const today = await partitionsLike('usage_events_y20__m__')

    // 400 days before 15 June 2001 is 11 May 2000: March and April 2000 are past.
    useFixedClock(DateTime.fromISO('2001-06-15T12:00:00Z'))
    const result = await runUpkeep()
    assert.deepEqual(result.created, [
      'usage_events_y2001m06',
      'usage_events_y2001m07',
      'usage_events_y2001m08',
      'usage_events_y2001m09',
    ])
    assert.deepEqual(result.dropped, ['usage_events_y2000m03', 'usage_events_y2000m04'])
    assert.deepEqual(await partitionsLike('usage_events_y200_m__'), [
      'usage_events_y2000m05',
      'usage_events_y2001m06',
      'usage_events_y2001m07',
      'usage_events_y2001m08',
      'usage_events_y2001m09',
    ])
    // The months of today are untouched.
    assert.includeMembers(await partitionsLike('usage_events_y20__m__'), [
      ...today.filter((name) => !/y2000m0[34]$/.test(name)),
    ])
    assert.containsSubset(await runUpkeep(), { created: [], dropped: [] })
  })

  test('purges idempotency keys past their 24 hours; the others still answer', async ({
    assert,
    client,
  }) => {
    const apiKey = await newApiKey()
    const clock = useFixedClock(DateTime.utc().startOf('second'))
    const meter = await createMeter({ defaultLimit: null })
    const license = await licenseFor(meter)
    const record = (key: string) =>
      client
        .post('/api/license/usage')
        .header('x-api-key', apiKey)
        .json({ license_key: license.key, meter: meter.code, idempotency_key: key })

    await record('old')
    clock.advance({ hours: 2 })
    await record('recent')
    clock.advance({ hours: 22, seconds: 1 })
    const result = await runUpkeep()
    assert.isAtLeast(result.keysPurged, 1)
    const keys = await db.from('usage_idempotency_keys').where('license_id', license.id)
    assert.deepEqual(
      keys.map((key) => key.idempotency_key),
      ['recent']
    )
    const replayed = await record('recent')
    assert.equal(replayed.header('idempotent-replayed'), 'true')
  })

  test('is listed with the core jobs, hourly', async ({ assert }) => {
    const job = coreJobs.find((candidate) => candidate.name === 'usage:upkeep')
    assert.equal(job?.cron, '41 * * * *')
  })
})
