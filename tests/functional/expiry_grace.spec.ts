import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import License from '#models/license'
import { licenseStatusSql, licenseUsableSql } from '#rules/license_usable'
import { HEARTBEAT_AND_LOG } from '#services/heartbeat_statements'
import {
  createLicense,
  createProductWithGrace,
  fingerprint,
  licenseExpiringAt,
  newApiKey,
} from '#tests/support/fixtures'
import { decodeLease } from '#tests/support/leases'
import { restoreClock, SessionClient, useFixedClock } from '#tests/support/sessions'

/**
 * The expiry grace: a license past `expires_at` keeps working for its
 * product's `expiry_grace_days`, shown as `grace` with `grace_ends_at`, and
 * is `expired` after that, in every answer and in the SQL the lists,
 * counters and heartbeats run.
 */
const now = DateTime.fromISO('2026-06-10T12:00:00Z', { zone: 'utc' }) as DateTime<true>

/** An active license of a product with `graceDays`, expired `expiredDaysAgo` days before `now`. */
async function expiredLicense(graceDays: number, expiredDaysAgo: number, offlineGrace?: number) {
  const product = await createProductWithGrace(graceDays, {
    offlineGraceSeconds: offlineGrace ?? null,
  })
  return licenseExpiringAt(product.id, now.minus({ days: expiredDaysAgo }), { maxDevices: 2 })
}

test.group('Expiry grace at the client API', (group) => {
  let apiKey: string
  group.setup(async () => {
    apiKey = await newApiKey()
  })
  group.each.teardown(() => restoreClock())

  const post = (client: any, path: string, body: Record<string, unknown>) =>
    client.post(`/api/license/${path}`).header('X-API-Key', apiKey).json(body)

  test('in its grace an expired license verifies VALID, with status grace and grace_ends_at', async ({
    client,
    assert,
  }) => {
    useFixedClock(now)
    const license = await expiredLicense(7, 3)
    const response = await post(client, 'verify', { license_key: license.key })
    response.assertStatus(200)
    assert.equal(response.body().valid, true)
    assert.equal(response.body().code, 'VALID')
    assert.containsSubset(response.body().license, {
      status: 'grace',
      expires_at: '2026-06-07T12:00:00.000Z',
      grace_ends_at: '2026-06-14T12:00:00.000Z',
    })
    assert.isArray(response.body().entitlements)
  })

  test("once the grace is over it is expired, from the grace end's very moment", async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock(now)
    const license = await expiredLicense(2, 1)
    clock.advance({ days: 1, milliseconds: -1 })
    const last = await post(client, 'verify', { license_key: license.key })
    assert.equal(last.body().license.status, 'grace')
    clock.advance({ milliseconds: 1 })
    const over = await post(client, 'verify', { license_key: license.key })
    over.assertStatus(200)
    assert.containsSubset(over.body(), { valid: false, code: 'EXPIRED' })
    assert.equal(over.body().license.status, 'expired')
    assert.equal(over.body().license.grace_ends_at, '2026-06-11T12:00:00.000Z')
    const refused = await post(client, 'activate', {
      license_key: license.key,
      hardware_fingerprint: fingerprint(),
    })
    refused.assertStatus(403)
    assert.equal(refused.body().error.code, 'LICENSE_EXPIRED')
  })

  test('a product without grace: expired at expires_at, grace_ends_at null', async ({
    client,
    assert,
  }) => {
    useFixedClock(now)
    const license = await expiredLicense(0, 0)
    const response = await post(client, 'verify', { license_key: license.key })
    assert.containsSubset(response.body(), { valid: false, code: 'EXPIRED' })
    assert.isNull(response.body().license.grace_ends_at)
    const running = await createLicense({ type: 'perpetual' })
    const perpetual = await post(client, 'verify', { license_key: running.key })
    assert.containsSubset(perpetual.body().license, { status: 'active', grace_ends_at: null })
  })

  test('a license not yet expired shows active, and already tells when its grace would end', async ({
    client,
    assert,
  }) => {
    useFixedClock(now)
    const license = await expiredLicense(5, -1)
    const response = await post(client, 'verify', { license_key: license.key })
    assert.containsSubset(response.body().license, {
      status: 'active',
      grace_ends_at: '2026-06-16T12:00:00.000Z',
    })
  })

  test('the lease says grace and ends with the grace, not at the expiry', async ({
    client,
    assert,
  }) => {
    useFixedClock(now)
    // Offline use for 30 days, expired 3 days ago, 7 days of grace: 4 days left.
    const license = await expiredLicense(7, 3, 30 * 86400)
    const device = fingerprint()
    ;(
      await post(client, 'activate', { license_key: license.key, hardware_fingerprint: device })
    ).assertStatus(201)
    const verified = await post(client, 'verify', {
      license_key: license.key,
      hardware_fingerprint: device,
    })
    const { claims } = decodeLease(verified.body().lease)
    assert.containsSubset(claims, {
      status: 'grace',
      license_expires_at: '2026-06-07T12:00:00.000Z',
      grace_ends_at: '2026-06-14T12:00:00.000Z',
      valid_until: '2026-06-14T12:00:00.000Z',
    })
    assert.equal(claims.exp, Date.parse('2026-06-14T12:00:00Z') / 1000)
  })

  test('session start in grace carries grace_ends_at; heartbeats stop with the grace', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock(now)
    // One day of grace, of which 40 seconds are left.
    const license = await expiredLicense(1, 0)
    license.expiresAt = now.minus({ days: 1 }).plus({ seconds: 40 })
    await license.save()
    const api = new SessionClient(client, apiKey, license.key)
    const started = await api.start(fingerprint())
    started.assertStatus(201)
    assert.equal(started.body().grace_ends_at, '2026-06-10T12:00:40.000Z')
    assert.equal(decodeLease(started.body().lease).claims.status, 'grace')

    clock.advance({ seconds: 30 })
    ;(await api.heartbeat(started.body().session_token)).assertStatus(200)
    clock.advance({ seconds: 10 })
    const ended = await api.heartbeat(started.body().session_token)
    ended.assertStatus(410)
    assert.containsSubset(ended.body().error, { code: 'SESSION_ENDED', end_reason: 'license' })

    const running = await createLicense({ type: 'perpetual' })
    const plain = await new SessionClient(client, apiKey, running.key).start(fingerprint())
    plain.assertStatus(201)
    assert.notProperty(plain.body(), 'grace_ends_at')
  })
})

test.group('Expiry grace in SQL', () => {
  test('the fragments agree with License#statusAt, row by row', async ({ assert }) => {
    const cases: Array<[number, number | null, 'active' | 'suspended']> = [
      [0, null, 'active'],
      [0, -1, 'active'],
      [0, 0, 'active'],
      [0, 3, 'active'],
      [7, 3, 'active'],
      [7, 7, 'active'],
      [7, 8, 'active'],
      [7, 3, 'suspended'],
    ]
    const licenses: License[] = []
    for (const [grace, expiredDaysAgo, status] of cases) {
      const product = await createProductWithGrace(grace)
      licenses.push(
        await createLicense({
          productId: product.id,
          type: expiredDaysAgo === null ? 'perpetual' : '1m',
          expiryBasis: 'creation',
          status,
          expiresAt: expiredDaysAgo === null ? null : now.minus({ days: expiredDaysAgo }),
        })
      )
    }
    const ids = licenses.map((license) => license.id)
    const rows = await db
      .from('licenses')
      .whereIn('id', ids)
      .select(
        'id',
        db.raw(`${licenseStatusSql(null)} AS shown`, { now: now.toJSDate() }),
        db.raw(`${licenseUsableSql(null)} AS usable`, { now: now.toJSDate() })
      )
    const loaded = await License.query().whereIn('id', ids).preload('product')
    for (const license of loaded) {
      const row = rows.find((candidate) => candidate.id === license.id)!
      const shown = license.statusAt(now)
      assert.equal(row.shown, shown, `license ${license.id}`)
      assert.equal(row.usable, shown === 'active' || shown === 'grace', `license ${license.id}`)
    }
    assert.deepEqual(loaded.map((license) => license.statusAt(now)).sort(), [
      'active',
      'active',
      'expired',
      'expired',
      'expired',
      'expired',
      'grace',
      'suspended',
    ])
  })

  test("the product is looked up only for a license past its expiry (the heartbeat's case)", async ({
    assert,
  }) => {
    const product = await createProductWithGrace(3)
    const running = await createLicense({ productId: product.id, type: 'perpetual' })
    const expired = await licenseExpiringAt(product.id, now.minus({ days: 1 }))
    /** How often the plan ran the grace subquery for this license. */
    const lookups = async (id: number) => {
      const plan = await db.rawQuery(
        `EXPLAIN (ANALYZE, FORMAT JSON) SELECT l.id FROM licenses AS l WHERE l.id = :id AND ${licenseUsableSql('l')}`,
        { id, now: now.toJSDate() }
      )
      const subPlans: Array<{ 'Actual Loops': number }> = []
      const walk = (node: any) => {
        if (node['Parent Relationship'] === 'SubPlan') subPlans.push(node)
        for (const child of node.Plans ?? []) walk(child)
      }
      walk(plan.rows[0]['QUERY PLAN'][0].Plan)
      return subPlans.reduce((sum, node) => sum + node['Actual Loops'], 0)
    }
    assert.equal(await lookups(running.id), 0)
    assert.equal(await lookups(expired.id), 1)
    assert.include(HEARTBEAT_AND_LOG, licenseUsableSql('l', '$1'))
  })
})
