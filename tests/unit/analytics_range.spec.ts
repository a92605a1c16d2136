import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import { MAX_CUSTOM_DAYS, resolveRange } from '#services/analytics/analytics_range'
import { limitStateOf } from '#services/analytics/usage_analytics'

const now = DateTime.fromISO('2026-03-29T14:25:10Z', { zone: 'utc' })
const utcDay = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' })

test.group('Analytics: the range a usage page shows', () => {
  test('the default is the last 30 days, today included, one bucket a day', ({ assert }) => {
    const range = resolveRange(now)
    assert.equal(range.choice, '30d')
    assert.equal(range.bucket, 'day')
    assert.equal(range.from.toISO(), '2026-02-28T00:00:00.000Z')
    assert.equal(range.to.toISO(), '2026-03-30T00:00:00.000Z')
    assert.lengthOf(range.buckets, 30)
    assert.equal(range.buckets[0], '2026-02-28T00:00:00.000Z')
    assert.equal(range.buckets.at(-1), '2026-03-29T00:00:00.000Z')
  })

  test('24 hours end with the current hour and are drawn per hour', ({ assert }) => {
    const range = resolveRange(now, { range: '24h' })
    assert.equal(range.bucket, 'hour')
    assert.equal(range.from.toISO(), '2026-03-28T15:00:00.000Z')
    assert.equal(range.to.toISO(), '2026-03-29T15:00:00.000Z')
    assert.lengthOf(range.buckets, 24)
    assert.equal(range.buckets.at(-1), '2026-03-29T14:00:00.000Z')
  })

  test('presets are UTC whatever zone the clock speaks', ({ assert }) => {
    const berlin = now.setZone('Europe/Berlin')
    assert.deepEqual(
      resolveRange(berlin, { range: '7d' }).buckets,
      resolveRange(now, { range: '7d' }).buckets
    )
    assert.equal(resolveRange(berlin, { range: '365d' }).buckets.length, 365)
  })

  test('a custom range is whole UTC days, both included, put in order', ({ assert }) => {
    const range = resolveRange(now, {
      from: utcDay('2026-03-10'),
      to: utcDay('2026-03-03'),
      range: '24h',
    })
    assert.equal(range.choice, 'custom', 'dates win over the preset')
    assert.equal(range.from.toISO(), '2026-03-03T00:00:00.000Z')
    assert.equal(range.to.toISO(), '2026-03-11T00:00:00.000Z')
    assert.equal(range.bucket, 'day')
    assert.lengthOf(range.buckets, 8)
  })

  test('one or two custom days are drawn per hour', ({ assert }) => {
    const one = resolveRange(now, { from: utcDay('2026-03-03'), to: utcDay('2026-03-03') })
    assert.equal(one.bucket, 'hour')
    assert.lengthOf(one.buckets, 24)
    const two = resolveRange(now, { from: utcDay('2026-03-03'), to: utcDay('2026-03-04') })
    assert.equal(two.bucket, 'hour')
    assert.lengthOf(two.buckets, 48)
    assert.equal(
      resolveRange(now, { from: utcDay('2026-03-03'), to: utcDay('2026-03-05') }).bucket,
      'day'
    )
  })

  test('a start alone runs to today; a custom span is kept to its last days', ({ assert }) => {
    const open = resolveRange(now, { from: utcDay('2026-03-20') })
    assert.equal(open.to.toISO(), '2026-03-30T00:00:00.000Z')
    assert.lengthOf(open.buckets, 10)
    const long = resolveRange(now, { from: utcDay('2020-01-01'), to: utcDay('2026-03-01') })
    assert.lengthOf(long.buckets, MAX_CUSTOM_DAYS)
    assert.equal(long.buckets.at(-1), '2026-03-01T00:00:00.000Z')
  })
})

test.group('Analytics: where usage stands against a limit', () => {
  test('under 80 % is ok, from 80 % near, at the limit reached, past it over', ({ assert }) => {
    assert.deepEqual(limitStateOf(79, 100), { share: 0.79, state: 'ok' })
    assert.deepEqual(limitStateOf(80, 100), { share: 0.8, state: 'near' })
    assert.deepEqual(limitStateOf(100, 100), { share: 1, state: 'reached' })
    assert.deepEqual(limitStateOf(101, 100), { share: 1.01, state: 'over' })
  })

  test('unlimited is always ok; a limit of 0 is over once anything was used', ({ assert }) => {
    assert.deepEqual(limitStateOf(1_000_000, null), { share: null, state: 'ok' })
    assert.deepEqual(limitStateOf(0, 0), { share: 0, state: 'ok' })
    assert.deepEqual(limitStateOf(3, 0), { share: Infinity, state: 'over' })
  })
})
