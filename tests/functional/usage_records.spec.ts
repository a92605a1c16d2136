import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Product from '#models/product'
import { counterPeriodAt } from '#services/usage/periods'
import { newApiKey } from '#tests/support/fixtures'
import { restoreClock, useFixedClock } from '#tests/support/sessions'
import {
  createMeter,
  ensureUsagePartitions,
  eventsOf,
  licenseFor,
  setOwnLimit,
  templateLimiting,
} from '#tests/support/usage'

let apiKey: string

test.group('POST /api/license/usage', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })
  group.each.teardown(() => restoreClock())

  const record = (client: any, body: Record<string, unknown>) =>
    client.post('/api/license/usage').header('x-api-key', apiKey).json(body)

  test('a record counts against the period: 201 with used, limit, remaining and the reset', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock(DateTime.fromISO('2026-12-04T10:00:00.000Z'))
    const meter = await createMeter({ defaultLimit: 10 })
    const license = await licenseFor(meter)

    const first = await record(client, { license_key: license.key, meter: meter.code })
    first.assertStatus(201)
    assert.deepEqual(first.body(), {
      meter: meter.code,
      amount: 1,
      used: 1,
      limit: 10,
      remaining: 9,
      resets_at: '2027-01-01T00:00:00.000Z',
      over_limit: false,
      recorded_at: '2026-12-04T10:00:00.000Z',
    })
    clock.advance({ minutes: 1 })
    const second = await record(client, {
      license_key: license.key.toLowerCase(),
      meter: meter.code,
      amount: 4,
    })
    second.assertStatus(201)
    assert.containsSubset(second.body(), { amount: 4, used: 5, remaining: 5 })
    assert.isNull(second.header('idempotent-replayed') ?? null)

    const events = await eventsOf(license, meter)
    assert.deepEqual(
      events.map((event) => [Number(event.amount), event.over_limit]),
      [
        [1, false],
        [4, false],
      ]
    )
    assert.isNotNull(events[0].api_key_id)
  })

  test('deny: a record that would pass the limit is refused whole, 409 with limit, used and resets_at', async ({
    client,
    assert,
  }) => {
    useFixedClock(DateTime.fromISO('2026-12-04T10:00:00.000Z'))
    const meter = await createMeter({ defaultLimit: 5, period: 'day', timeZone: 'UTC' })
    const license = await licenseFor(meter)

    ;(
      await record(client, { license_key: license.key, meter: meter.code, amount: 4 })
    ).assertStatus(201)
    const refused = await record(client, { license_key: license.key, meter: meter.code, amount: 2 })
    refused.assertStatus(409)
    assert.containsSubset(refused.body().error, {
      code: 'USAGE_LIMIT_REACHED',
      limit: 5,
      used: 4,
      resets_at: '2026-12-05T00:00:00.000Z',
    })
    const last = await record(client, { license_key: license.key, meter: meter.code, amount: 1 })
    last.assertStatus(201)
    assert.containsSubset(last.body(), { used: 5, remaining: 0, over_limit: false })
    assert.lengthOf(await eventsOf(license, meter), 2)
  })

  test('tolerance: records up to the tolerance, flags what is above the limit as overage', async ({
    client,
    assert,
  }) => {
    const meter = await createMeter({
      defaultLimit: 10,
      overage: 'tolerance',
      tolerancePercent: 25,
    })
    const license = await licenseFor(meter)

    const within = await record(client, { license_key: license.key, meter: meter.code, amount: 10 })
    assert.containsSubset(within.body(), { used: 10, over_limit: false })
    // floor(10 × 125 / 100) = 12
    const over = await record(client, { license_key: license.key, meter: meter.code, amount: 2 })
    over.assertStatus(201)
    assert.containsSubset(over.body(), { used: 12, limit: 10, remaining: 0, over_limit: true })
    const refused = await record(client, { license_key: license.key, meter: meter.code })
    refused.assertStatus(409)
    assert.containsSubset(refused.body().error, { limit: 10, used: 12 })

    const usage = await client.get(`/api/license/usage/${license.key}`).header('x-api-key', apiKey)
    assert.containsSubset(usage.body().meters[0], { used: 12, limit: 10, remaining: 0, overage: 2 })
    const events = await eventsOf(license, meter)
    assert.deepEqual(
      events.map((event) => event.over_limit),
      [false, true]
    )
  })

  test('allow: always records, and flags what is above the limit', async ({ client, assert }) => {
    const meter = await createMeter({ defaultLimit: 3, overage: 'allow' })
    const license = await licenseFor(meter)

    const answers = []
    for (const amount of [2, 2, 100]) {
      const response = await record(client, { license_key: license.key, meter: meter.code, amount })
      response.assertStatus(201)
      answers.push(response.body())
    }
    assert.deepEqual(
      answers.map((answer) => [answer.used, answer.over_limit, answer.remaining]),
      [
        [2, false, 1],
        [4, true, 0],
        [104, true, 0],
      ]
    )
    const [counter] = await db.from('usage_counters').where({ license_id: license.id })
    assert.equal(Number(counter.overage), 101)
  })

  test('unlimited: always records; limit and remaining are null', async ({ client, assert }) => {
    const meter = await createMeter({ defaultLimit: null })
    const license = await licenseFor(meter)
    const response = await record(client, {
      license_key: license.key,
      meter: meter.code,
      amount: 1_000_000,
    })
    response.assertStatus(201)
    assert.containsSubset(response.body(), {
      used: 1_000_000,
      limit: null,
      remaining: null,
      over_limit: false,
    })
  })

  test('the limit is the license own, else its template, else the meter default', async ({
    client,
    assert,
  }) => {
    const meter = await createMeter({ defaultLimit: 1 })
    const template = await templateLimiting(meter, 2)
    const plain = await licenseFor(meter)
    const templated = await licenseFor(meter, { templateId: template.id })
    const own = await licenseFor(meter, { templateId: template.id })
    await setOwnLimit(own, meter, 3)
    const ownUnlimited = await licenseFor(meter, { templateId: template.id })
    await setOwnLimit(ownUnlimited, meter, null)

    const limits = []
    for (const license of [plain, templated, own, ownUnlimited]) {
      const response = await record(client, { license_key: license.key, meter: meter.code })
      limits.push(response.body().limit)
    }
    assert.deepEqual(limits, [1, 2, 3, null])
  })

  test('refusals: unknown license 404, unknown meter 404, a license not usable 403, bad input 422', async ({
    client,
    assert,
  }) => {
    const meter = await createMeter()
    const license = await licenseFor(meter)
    const suspended = await licenseFor(meter, { status: 'suspended' })
    const expired = await licenseFor(meter, {
      type: '1m',
      expiryBasis: 'creation',
      expiresAt: DateTime.utc().minus({ days: 1 }),
    })

    const codeOf = async (body: Record<string, unknown>) => {
      const response = await record(client, body)
      return [response.status(), response.body().error?.code]
    }
    assert.deepEqual(await codeOf({ license_key: 'NOPE-NOPE', meter: meter.code }), [
      404,
      'LICENSE_NOT_FOUND',
    ])
    assert.deepEqual(await codeOf({ license_key: license.key, meter: 'no_such_meter' }), [
      404,
      'METER_NOT_FOUND',
    ])
    assert.deepEqual(await codeOf({ license_key: suspended.key, meter: meter.code }), [
      403,
      'LICENSE_SUSPENDED',
    ])
    assert.deepEqual(await codeOf({ license_key: expired.key, meter: meter.code }), [
      403,
      'LICENSE_EXPIRED',
    ])
    for (const bad of [
      { meter: 'Not A Code' },
      { amount: 0 },
      { amount: 1.5 },
      { amount: 1_000_001 },
      { idempotency_key: '' },
      { idempotency_key: 'x'.repeat(201) },
      { idempotency_key: 'tab\there' },
    ]) {
      const [status, code] = await codeOf({ license_key: license.key, meter: meter.code, ...bad })
      assert.deepEqual([status, code], [422, 'VALIDATION_ERROR'], JSON.stringify(bad))
    }
    assert.lengthOf(await eventsOf(license, meter), 0)
  })
  test('a license in its expiry grace still records; past the grace it is expired', async ({
    client,
    assert,
  }) => {
    const meter = await createMeter()
    await Product.query().where('id', meter.productId).update({ expiryGraceDays: 7 })
    const expiring = (days: number) =>
      licenseFor(meter, {
        type: '1m',
        expiryBasis: 'creation',
        expiresAt: DateTime.utc().minus({ days }),
      })
    const inGrace = await record(client, {
      license_key: (await expiring(1)).key,
      meter: meter.code,
    })
    inGrace.assertStatus(201)
    const past = await record(client, { license_key: (await expiring(8)).key, meter: meter.code })
    past.assertStatus(403)
    assert.equal(past.body().error.code, 'LICENSE_EXPIRED')
  })
  test('without a partition for its month the record still counts, unlogged; a rolling meter cannot', async ({
    client,
    assert,
  }) => {
    // No partition is made this far ahead.
    useFixedClock(DateTime.fromISO('2035-06-01T10:00:00.000Z'))
    const meter = await createMeter({ defaultLimit: 5 })
    const rolling = await createMeter({
      productId: meter.productId,
      period: 'rolling',
      rollingSeconds: 3600,
    })
    const license = await licenseFor(meter)
    const counted = await record(client, { license_key: license.key, meter: meter.code })
    counted.assertStatus(201)
    assert.containsSubset(counted.body(), { used: 1, remaining: 4 })
    assert.lengthOf(await eventsOf(license, meter), 0)
    const refused = await record(client, { license_key: license.key, meter: rolling.code })
    refused.assertStatus(500)
  })
})

test.group('POST /api/license/usage with an idempotency key', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })
  group.each.teardown(() => restoreClock())

  const record = (client: any, body: Record<string, unknown>) =>
    client.post('/api/license/usage').header('x-api-key', apiKey).json(body)

  test('the same key answers the first result and counts once', async ({ client, assert }) => {
    const clock = useFixedClock(DateTime.fromISO('2026-12-04T10:00:00.000Z'))
    const meter = await createMeter({ defaultLimit: 10 })
    const license = await licenseFor(meter)
    const body = {
      license_key: license.key,
      meter: meter.code,
      amount: 3,
      idempotency_key: 'job-1',
    }

    const first = await record(client, body)
    first.assertStatus(201)
    assert.isUndefined(first.header('idempotent-replayed'))
    clock.advance({ hours: 23, minutes: 59 })
    const again = await record(client, body)
    again.assertStatus(201)
    assert.equal(again.header('idempotent-replayed'), 'true')
    assert.deepEqual(again.body(), first.body())
    assert.lengthOf(await eventsOf(license, meter), 1)

    // Another license may use the same key: keys are per license.
    const other = await licenseFor(meter)
    const theirs = await record(client, { ...body, license_key: other.key })
    theirs.assertStatus(201)
    assert.isUndefined(theirs.header('idempotent-replayed'))
  })

  test('the same key with another amount or meter is 422 IDEMPOTENCY_KEY_REUSED', async ({
    client,
    assert,
  }) => {
    const meter = await createMeter({ defaultLimit: 10 })
    const otherMeter = await createMeter({ productId: meter.productId })
    const license = await licenseFor(meter)
    const body = { license_key: license.key, meter: meter.code, amount: 2, idempotency_key: 'k-2' }
    ;(await record(client, body)).assertStatus(201)

    for (const changed of [{ amount: 3 }, { meter: otherMeter.code }, { amount: undefined }]) {
      const response = await record(client, { ...body, ...changed })
      response.assertStatus(422)
      assert.equal(response.body().error.code, 'IDEMPOTENCY_KEY_REUSED')
    }
    assert.lengthOf(await eventsOf(license, meter), 1)
    assert.lengthOf(await eventsOf(license, otherMeter), 0)
  })

  test('a refusal is the first result too; after 24 hours the key counts anew', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock(DateTime.fromISO('2026-12-04T10:00:00.000Z'))
    const meter = await createMeter({ defaultLimit: 1, period: 'none' })
    const license = await licenseFor(meter)
    ;(await record(client, { license_key: license.key, meter: meter.code })).assertStatus(201)

    const body = { license_key: license.key, meter: meter.code, idempotency_key: 'late' }
    const refused = await record(client, body)
    refused.assertStatus(409)
    await db.from('usage_counters').where({ license_id: license.id }).update({ used: 0 })
    const replayed = await record(client, body)
    replayed.assertStatus(409)
    assert.equal(replayed.header('idempotent-replayed'), 'true')
    assert.deepEqual(replayed.body(), refused.body())

    clock.advance({ hours: 24 })
    const fresh = await record(client, body)
    fresh.assertStatus(201)
    assert.isUndefined(fresh.header('idempotent-replayed'))
    assert.containsSubset(fresh.body(), { used: 1 })
  })

  test('twenty simultaneous requests with one key count once and all answer the same', async ({
    client,
    assert,
  }) => {
    const meter = await createMeter({ defaultLimit: 100 })
    const license = await licenseFor(meter)
    const body = { license_key: license.key, meter: meter.code, amount: 5, idempotency_key: 'twin' }
    const responses = await Promise.all(Array.from({ length: 20 }, () => record(client, body)))
    assert.deepEqual(
      responses.map((response) => response.status()),
      Array(20).fill(201)
    )
    assert.lengthOf(new Set(responses.map((response) => JSON.stringify(response.body()))), 1)
    assert.equal(
      responses.filter((response) => response.header('idempotent-replayed') === 'true').length,
      19
    )
    const [counter] = await db.from('usage_counters').where({ license_id: license.id })
    assert.equal(Number(counter.used), 5)
  })
})

test.group('Meter periods', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
    await ensureUsagePartitions(DateTime.fromISO('2026-01-01T00:00:00Z'), 14)
  })
  group.each.teardown(() => restoreClock())

  const record = (client: any, license: { key: string }, meter: { code: string }) =>
    client
      .post('/api/license/usage')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, meter: meter.code })

  test('day in Europe/Berlin across the spring DST change: a 23-hour day, reset at local midnight', async ({
    client,
    assert,
  }) => {
    // 29 March 2026 in Berlin: 00:00 CET (23:00Z the day before) to 00:00 CEST (22:00Z).
    const clock = useFixedClock(DateTime.fromISO('2026-03-28T23:00:00.000Z'))
    const meter = await createMeter({ period: 'day', timeZone: 'Europe/Berlin', defaultLimit: 5 })
    const license = await licenseFor(meter)

    const first = await record(client, license, meter)
    assert.containsSubset(first.body(), { used: 1, resets_at: '2026-03-29T22:00:00.000Z' })
    clock.set(DateTime.fromISO('2026-03-29T21:59:59.999Z'))
    assert.containsSubset((await record(client, license, meter)).body(), { used: 2 })
    clock.set(DateTime.fromISO('2026-03-29T22:00:00.000Z'))
    const next = await record(client, license, meter)
    assert.containsSubset(next.body(), { used: 1, resets_at: '2026-03-30T22:00:00.000Z' })
  })

  test('day in Europe/Berlin across the autumn DST change: a 25-hour day', async ({
    client,
    assert,
  }) => {
    // 25 October 2026 in Berlin: 00:00 CEST (22:00Z the day before) to 00:00 CET (23:00Z).
    const clock = useFixedClock(DateTime.fromISO('2026-10-24T22:00:00.000Z'))
    const meter = await createMeter({ period: 'day', timeZone: 'Europe/Berlin', defaultLimit: 5 })
    const license = await licenseFor(meter)

    assert.containsSubset((await record(client, license, meter)).body(), {
      resets_at: '2026-10-25T23:00:00.000Z',
    })
    clock.set(DateTime.fromISO('2026-10-25T22:30:00.000Z'))
    assert.containsSubset((await record(client, license, meter)).body(), { used: 2 })
    clock.set(DateTime.fromISO('2026-10-25T23:00:00.000Z'))
    assert.containsSubset((await record(client, license, meter)).body(), { used: 1 })
  })

  test('hour, month and year reset at their boundaries in the meter time zone', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock(DateTime.fromISO('2026-06-30T23:59:00.000Z'))
    const hour = await createMeter({ period: 'hour', timeZone: 'Asia/Kolkata' })
    const month = await createMeter({
      productId: hour.productId,
      period: 'month',
      timeZone: 'America/New_York',
    })
    const year = await createMeter({ productId: hour.productId, period: 'year', timeZone: 'UTC' })
    const license = await licenseFor(hour)

    // 23:59Z is 05:29 in Kolkata (+05:30): its hour ends at 06:00 there, 00:30Z.
    assert.containsSubset((await record(client, license, hour)).body(), {
      resets_at: '2026-07-01T00:30:00.000Z',
    })
    // Still June in New York (19:59 EDT): the month ends at 04:00Z on 1 July.
    assert.containsSubset((await record(client, license, month)).body(), {
      resets_at: '2026-07-01T04:00:00.000Z',
    })
    assert.containsSubset((await record(client, license, year)).body(), {
      resets_at: '2027-01-01T00:00:00.000Z',
    })

    clock.set(DateTime.fromISO('2026-07-01T00:30:00.000Z'))
    assert.containsSubset((await record(client, license, hour)).body(), { used: 1 })
    assert.containsSubset((await record(client, license, month)).body(), { used: 2 })
    clock.set(DateTime.fromISO('2026-07-01T04:00:00.000Z'))
    assert.containsSubset((await record(client, license, month)).body(), { used: 1 })
    assert.containsSubset((await record(client, license, year)).body(), { used: 2 })
  })

  test('none never resets', async ({ client, assert }) => {
    const clock = useFixedClock(DateTime.fromISO('2026-01-15T00:00:00.000Z'))
    const meter = await createMeter({ period: 'none' })
    const license = await licenseFor(meter)
    assert.containsSubset((await record(client, license, meter)).body(), {
      used: 1,
      resets_at: null,
    })
    clock.set(DateTime.fromISO('2026-12-31T00:00:00.000Z'))
    assert.containsSubset((await record(client, license, meter)).body(), {
      used: 2,
      resets_at: null,
    })
  })

  test('rolling counts the last window; it resets when the oldest counted event leaves', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock(DateTime.fromISO('2026-05-10T12:00:00.000Z'))
    const meter = await createMeter({ period: 'rolling', rollingSeconds: 3600, defaultLimit: 2 })
    const license = await licenseFor(meter)

    assert.containsSubset((await record(client, license, meter)).body(), {
      used: 1,
      resets_at: '2026-05-10T13:00:00.000Z',
    })
    clock.advance({ minutes: 30 })
    assert.containsSubset((await record(client, license, meter)).body(), {
      used: 2,
      resets_at: '2026-05-10T13:00:00.000Z',
    })
    clock.advance({ minutes: 29 })
    const refused = await record(client, license, meter)
    refused.assertStatus(409)
    assert.containsSubset(refused.body().error, { used: 2, resets_at: '2026-05-10T13:00:00.000Z' })

    // 13:00: the first event leaves the window, the second (12:30) stays.
    clock.set(DateTime.fromISO('2026-05-10T13:00:00.000Z'))
    const after = await record(client, license, meter)
    after.assertStatus(201)
    assert.containsSubset(after.body(), { used: 2, resets_at: '2026-05-10T13:30:00.000Z' })

    const usage = await client.get(`/api/license/usage/${license.key}`).header('x-api-key', apiKey)
    assert.containsSubset(usage.body().meters[0], {
      period: 'rolling',
      used: 2,
      remaining: 0,
      resets_at: '2026-05-10T13:30:00.000Z',
    })
  })
  test('the SQL period of a record is the period the reads compute (counterPeriodAt), DST changes included', async ({
    assert,
  }) => {
    const zones = [
      'UTC',
      'Europe/Berlin',
      'America/New_York',
      'America/Santiago',
      'Asia/Kolkata',
      'Asia/Kathmandu',
      'Australia/Lord_Howe',
      'Pacific/Chatham',
    ]
    const periods = ['hour', 'day', 'month', 'year', 'none', 'rolling'] as const
    // Every 37 minutes through the weeks around the 2026 DST changes, and around New Year.
    const instants: DateTime[] = []
    for (const from of ['2026-03-26', '2026-04-02', '2026-09-03', '2026-10-22', '2026-12-30']) {
      const start = DateTime.fromISO(`${from}T00:00:00Z`, { zone: 'utc' })
      for (let minutes = 0; minutes < 6 * 24 * 60; minutes += 37) {
        instants.push(start.plus({ minutes }))
      }
    }
    const cases = zones.flatMap((zone) =>
      periods.flatMap((period) => instants.map((at) => ({ zone, period, at })))
    )
    const { rows } = await db.rawQuery(
      `SELECT p.period_start, p.resets_at
         FROM unnest(?::text[], ?::text[], ?::timestamptz[]) WITH ORDINALITY AS c(period, zone, at, n)
         CROSS JOIN LATERAL usage_period(c.period, c.zone, c.at) AS p
        ORDER BY c.n`,
      [cases.map((c) => c.period), cases.map((c) => c.zone), cases.map((c) => c.at.toJSDate())]
    )
    const differing = cases.flatMap((c, index) => {
      const expected = counterPeriodAt(
        { period: c.period, timeZone: c.zone, rollingSeconds: 60 },
        c.at
      )
      const sql = rows[index]
      const same =
        sql.period_start.getTime() === expected.start.toMillis() &&
        (sql.resets_at?.getTime() ?? null) === (expected.resetsAt?.toMillis() ?? null)
      return same ? [] : [`${c.period} ${c.zone} ${c.at.toISO()}`]
    })
    assert.isAbove(cases.length, 10_000)
    assert.deepEqual(differing.slice(0, 10), [])
  })
})

test.group('GET /api/license/usage/:license_key', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })
  group.each.teardown(() => restoreClock())

  test('every meter of the product, with what the license used of it this period', async ({
    client,
    assert,
  }) => {
    useFixedClock(DateTime.fromISO('2026-12-04T10:00:00.000Z'))
    const exports = await createMeter({ code: 'exports', name: 'PDF exports', defaultLimit: 10 })
    await createMeter({
      productId: exports.productId,
      code: 'api_calls',
      name: 'API calls',
      period: 'day',
      defaultLimit: null,
    })
    const license = await licenseFor(exports)
    await client
      .post('/api/license/usage')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, meter: 'exports', amount: 3 })

    const response = await client
      .get(`/api/license/usage/${license.key.toLowerCase()}`)
      .header('x-api-key', apiKey)
    response.assertStatus(200)
    assert.deepEqual(response.body(), {
      license_key: license.key,
      meters: [
        {
          meter: 'api_calls',
          name: 'API calls',
          period: 'day',
          used: 0,
          limit: null,
          remaining: null,
          resets_at: '2026-12-05T00:00:00.000Z',
          overage: 0,
        },
        {
          meter: 'exports',
          name: 'PDF exports',
          period: 'month',
          used: 3,
          limit: 10,
          remaining: 7,
          resets_at: '2027-01-01T00:00:00.000Z',
          overage: 0,
        },
      ],
    })
  })

  test('an unknown license is 404 LICENSE_NOT_FOUND', async ({ client }) => {
    const response = await client.get('/api/license/usage/NOPE-NOPE').header('x-api-key', apiKey)
    response.assertStatus(404)
    response.assertBodyContains({ error: { code: 'LICENSE_NOT_FOUND' } })
  })
})
