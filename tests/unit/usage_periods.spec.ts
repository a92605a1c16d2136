import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import type { MeterPeriod } from '#models/meter'
import { remainingOf } from '#services/usage/limits'
import { counterPeriodAt, EPOCH, rollingResetAt, rollingWindowStart } from '#services/usage/periods'

const utc = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' })

/** The counter period at `at` (ISO, UTC) as [start, resetsAt] ISO strings in UTC. */
function periodOf(period: MeterPeriod, timeZone: string, at: string) {
  const { start, resetsAt } = counterPeriodAt({ period, timeZone, rollingSeconds: null }, utc(at))
  return [start.toUTC().toISO(), resetsAt?.toUTC().toISO() ?? null]
}

const hours = (range: (string | null)[]) =>
  DateTime.fromISO(range[1]!).diff(DateTime.fromISO(range[0]!), 'hours').hours

test.group('Meter periods', () => {
  test('a day starts at midnight in the meter time zone', ({ assert }) => {
    assert.deepEqual(periodOf('day', 'UTC', '2026-12-04T10:00:00Z'), [
      '2026-12-04T00:00:00.000Z',
      '2026-12-05T00:00:00.000Z',
    ])
    // 01:00 on 4 December in Tokyo is still 3 December in UTC.
    assert.deepEqual(periodOf('day', 'Asia/Tokyo', '2026-12-03T16:00:00Z'), [
      '2026-12-03T15:00:00.000Z',
      '2026-12-04T15:00:00.000Z',
    ])
  })

  test('a day with the spring DST change is 23 hours, with the autumn one 25', ({ assert }) => {
    const spring = periodOf('day', 'Europe/Berlin', '2026-03-29T12:00:00Z')
    assert.deepEqual(spring, ['2026-03-28T23:00:00.000Z', '2026-03-29T22:00:00.000Z'])
    assert.equal(hours(spring), 23)
    const autumn = periodOf('day', 'Europe/Berlin', '2026-10-25T12:00:00Z')
    assert.deepEqual(autumn, ['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z'])
    assert.equal(hours(autumn), 25)
    const newYork = periodOf('day', 'America/New_York', '2026-03-08T12:00:00Z')
    assert.equal(hours(newYork), 23)
  })

  test('the last instant of a period belongs to it, the next to the next one', ({ assert }) => {
    assert.deepEqual(periodOf('day', 'Europe/Berlin', '2026-03-29T21:59:59.999Z'), [
      '2026-03-28T23:00:00.000Z',
      '2026-03-29T22:00:00.000Z',
    ])
    assert.deepEqual(periodOf('day', 'Europe/Berlin', '2026-03-29T22:00:00Z'), [
      '2026-03-29T22:00:00.000Z',
      '2026-03-30T22:00:00.000Z',
    ])
  })

  test('the repeated hour of the autumn change is two hour periods of one hour each', ({
    assert,
  }) => {
    // 02:30 CEST (00:30Z), then 02:30 CET (01:30Z) on 25 October 2026.
    assert.deepEqual(periodOf('hour', 'Europe/Berlin', '2026-10-25T00:30:00Z'), [
      '2026-10-25T00:00:00.000Z',
      '2026-10-25T01:00:00.000Z',
    ])
    assert.deepEqual(periodOf('hour', 'Europe/Berlin', '2026-10-25T01:30:00Z'), [
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ])
  })

  test('hours of a zone offset by :30 or :45 start there', ({ assert }) => {
    assert.deepEqual(periodOf('hour', 'Asia/Kolkata', '2026-06-30T23:59:00Z'), [
      '2026-06-30T23:30:00.000Z',
      '2026-07-01T00:30:00.000Z',
    ])
    assert.deepEqual(periodOf('hour', 'Asia/Kathmandu', '2026-06-30T23:59:00Z'), [
      '2026-06-30T23:15:00.000Z',
      '2026-07-01T00:15:00.000Z',
    ])
  })

  test('months and years follow the calendar of the zone', ({ assert }) => {
    assert.deepEqual(periodOf('month', 'America/New_York', '2026-03-01T03:00:00Z'), [
      '2026-02-01T05:00:00.000Z',
      '2026-03-01T05:00:00.000Z',
    ])
    // March in New York starts in EST and ends in EDT.
    assert.deepEqual(periodOf('month', 'America/New_York', '2026-03-15T12:00:00Z'), [
      '2026-03-01T05:00:00.000Z',
      '2026-04-01T04:00:00.000Z',
    ])
    assert.deepEqual(periodOf('month', 'UTC', '2028-02-29T12:00:00Z'), [
      '2028-02-01T00:00:00.000Z',
      '2028-03-01T00:00:00.000Z',
    ])
    assert.deepEqual(periodOf('year', 'Europe/Berlin', '2026-12-31T23:30:00Z'), [
      '2026-12-31T23:00:00.000Z',
      '2027-12-31T23:00:00.000Z',
    ])
  })

  test('none and rolling count on the epoch row and never reset by the calendar', ({ assert }) => {
    for (const kind of ['none', 'rolling'] as const) {
      const { start, resetsAt } = counterPeriodAt(
        { period: kind, timeZone: 'UTC', rollingSeconds: kind === 'rolling' ? 3600 : null },
        utc('2026-12-04T10:00:00Z')
      )
      assert.isTrue(start.equals(EPOCH))
      assert.isNull(resetsAt)
    }
  })

  test('a rolling window goes back its length, or to the last reset when that is later', ({
    assert,
  }) => {
    const now = utc('2026-12-04T10:00:00Z')
    assert.equal(rollingWindowStart(3600, now, null).toISO(), '2026-12-04T09:00:00.000Z')
    assert.equal(
      rollingWindowStart(3600, now, utc('2026-12-04T08:00:00Z')).toISO(),
      '2026-12-04T09:00:00.000Z'
    )
    assert.equal(
      rollingWindowStart(3600, now, utc('2026-12-04T09:30:00Z')).toISO(),
      '2026-12-04T09:30:00.000Z'
    )
    assert.equal(
      rollingResetAt(3600, utc('2026-12-04T09:10:00Z'))?.toISO(),
      '2026-12-04T10:10:00.000Z'
    )
    assert.isNull(rollingResetAt(3600, null))
  })
})

test.group('Meter limits', () => {
  test('remaining is never negative and null when unlimited', ({ assert }) => {
    assert.equal(remainingOf(10, 3), 7)
    assert.equal(remainingOf(10, 12), 0)
    assert.isNull(remainingOf(null, 12))
  })
})
