import { test } from '@japa/runner'
import { durationToMs, describeSchedule, repeatFor } from '#services/job_scheduler'

const noop = async () => ({ default: async () => null })

test.group('Job schedules', () => {
  test('durations with ms, s, m, h and d become milliseconds', ({ assert }) => {
    assert.equal(durationToMs('500ms'), 500)
    assert.equal(durationToMs('1s'), 1000)
    assert.equal(durationToMs('5s'), 5000)
    assert.equal(durationToMs('30s'), 30_000)
    assert.equal(durationToMs('1m'), 60_000)
    assert.equal(durationToMs('15m'), 900_000)
    assert.equal(durationToMs('1h'), 3_600_000)
    assert.equal(durationToMs('2d'), 172_800_000)
    assert.equal(durationToMs(' 5s '), 5000)
  })

  test('anything else is refused with the reason', ({ assert }) => {
    for (const text of ['', '5', 's', '0s', '-5s', '1.5s', '5 s', '5sec', '1w', '05s', 'ms']) {
      assert.throws(() => durationToMs(text), /is not a duration/)
    }
  })

  test('every becomes an interval, cron a pattern read in UTC', ({ assert }) => {
    const every = { name: 'a', description: '', every: '5s', handler: noop }
    const cron = { name: 'b', description: '', cron: '5 * * * *', handler: noop }
    assert.deepEqual(repeatFor(every), { every: 5000 })
    assert.deepEqual(repeatFor(cron), { pattern: '5 * * * *', tz: 'UTC' })
    assert.equal(describeSchedule(every), 'every 5s')
    assert.equal(describeSchedule(cron), 'cron 5 * * * * (UTC)')
    assert.throws(() => repeatFor({ name: 'c', description: '', handler: noop }), /every or cron/)
  })
})
