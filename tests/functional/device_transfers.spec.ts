import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Device from '#models/device'
import Product from '#models/product'
import LicenseService from '#services/license_service'
import { createLicense, fingerprint, newApiKey, unique } from '#tests/support/fixtures'
import { loggedInPanel } from '#tests/support/panel'
import { restoreClock, SessionClient, useFixedClock } from '#tests/support/sessions'

/**
 * `POST /api/license/transfer` moves a device binding to another
 * fingerprint in one step; a client's own transfers and deactivations count
 * against the product's cooldown and quota (429 with `retry_at` and
 * `Retry-After`); an admin's moves are recorded and never refused by them.
 */
const start = DateTime.fromISO('2026-07-01T08:00:00Z', { zone: 'utc' }) as DateTime<true>

type Terms = Partial<
  Pick<
    Product,
    'transferCooldownSeconds' | 'transferQuota' | 'transferQuotaPeriodDays' | 'expiryGraceDays'
  >
>

test.group('Device transfers at the client API', (group) => {
  let apiKey: string
  group.setup(async () => {
    apiKey = await newApiKey()
  })
  group.each.teardown(() => restoreClock())

  async function licenseWith(client: any, terms: Terms = {}, overrides = {}) {
    const product = await Product.create({ name: 'Transfers', slug: unique('moves'), ...terms })
    const license = await createLicense({
      productId: product.id,
      type: 'perpetual',
      maxDevices: 2,
      ...overrides,
    })
    const post = (path: string, body: Record<string, unknown>) =>
      client
        .post(`/api/license/${path}`)
        .header('X-API-Key', apiKey)
        .json({ license_key: license.key, ...body })
    const activate = async (device: string) =>
      (await post('activate', { hardware_fingerprint: device })).assertStatus(201)
    const transfer = (from: string, to: string, extra: Record<string, unknown> = {}) =>
      post('transfer', { from_fingerprint: from, to_fingerprint: to, ...extra })
    const deactivate = (device: string) => post('deactivate', { hardware_fingerprint: device })
    return { license, activate, transfer, deactivate }
  }

  test('the device keeps its row and history, takes the new fingerprint, and its sessions end', async ({
    client,
    assert,
  }) => {
    useFixedClock(start)
    const { license, activate, transfer } = await licenseWith(client)
    const [oldMachine, newMachine] = [fingerprint(), fingerprint()]
    await activate(oldMachine)
    const before = await Device.findByOrFail({ licenseId: license.id, fingerprint: oldMachine })
    const session = await new SessionClient(client, apiKey, license.key).start(oldMachine)
    session.assertStatus(201)

    const response = await transfer(oldMachine, newMachine, { device_name: 'New laptop' })
    response.assertStatus(200)
    assert.deepEqual(response.body(), {
      transferred: true,
      device: {
        fingerprint: newMachine,
        name: 'New laptop',
        type: null,
        active: true,
        first_activated_at: before.firstActivatedAt.toUTC().toISO(),
        last_seen_at: start.toISO(),
      },
      transfers_left: null,
      next_transfer_at: null,
    })
    const after = await Device.findOrFail(before.id)
    assert.equal(after.fingerprint, newMachine)
    assert.isTrue(after.active)
    const ended = await db.from('session_history').where('license_id', license.id)
    assert.deepEqual(
      ended.map((row) => row.end_reason),
      ['deactivated']
    )
    const [move] = await db.from('device_transfers').where('license_id', license.id)
    assert.containsSubset(move, {
      kind: 'transfer',
      device_id: before.id,
      from_fingerprint: oldMachine,
      to_fingerprint: newMachine,
      counted: true,
      actor_type: 'api_key',
    })
    const [audit] = await db
      .from('audit_logs')
      .where({ action: 'device.transferred', subject_id: String(license.id) })
    assert.containsSubset(audit.after, {
      fingerprint: newMachine,
      counted: true,
      sessions_ended: 1,
    })
    const heartbeat = await new SessionClient(client, apiKey, license.key).heartbeat(
      session.body().session_token
    )
    heartbeat.assertStatus(410)
  })

  test('refusals: unknown device, a taken or the same fingerprint, an unusable license, bad input', async ({
    client,
    assert,
  }) => {
    useFixedClock(start)
    const { activate, transfer } = await licenseWith(client)
    const [a, b] = [fingerprint(), fingerprint()]
    await activate(a)
    await activate(b)

    const unknown = await transfer(fingerprint(), fingerprint())
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'DEVICE_NOT_FOUND')
    for (const to of [b, a]) {
      const taken = await transfer(a, to)
      taken.assertStatus(422)
      assert.equal(taken.body().error.code, 'VALIDATION_ERROR')
      assert.containsSubset(taken.body().error.fields, [
        { field: 'to_fingerprint', rule: 'unique' },
      ])
    }
    const short = await transfer(a, 'short')
    short.assertStatus(422)
    assert.equal(short.body().error.fields[0].field, 'to_fingerprint')

    const expired = await licenseWith(
      client,
      {},
      {
        type: '1m',
        expiryBasis: 'creation',
        expiresAt: start.plus({ days: 1 }),
      }
    )
    const device = fingerprint()
    await expired.activate(device)
    useFixedClock(start.plus({ days: 2 }))
    const refused = await expired.transfer(device, fingerprint())
    refused.assertStatus(403)
    assert.equal(refused.body().error.code, 'LICENSE_EXPIRED')
    assert.lengthOf(await db.from('device_transfers').where('license_id', expired.license.id), 0)
  })

  test('the cooldown: 429 TRANSFER_COOLDOWN with retry_at and Retry-After, then allowed again', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock(start)
    const { activate, transfer } = await licenseWith(client, { transferCooldownSeconds: 3600 })
    const [a, b, c] = [fingerprint(), fingerprint(), fingerprint()]
    await activate(a)
    const first = await transfer(a, b)
    first.assertStatus(200)
    assert.equal(first.body().next_transfer_at, '2026-07-01T09:00:00.000Z')

    clock.advance({ minutes: 59, seconds: 30 })
    const early = await transfer(b, c)
    early.assertStatus(429)
    assert.deepEqual(early.body().error, {
      code: 'TRANSFER_COOLDOWN',
      message: 'The license was moved to another device too recently. Please try again later.',
      retry_at: '2026-07-01T09:00:00.000Z',
    })
    assert.equal(early.header('retry-after'), '30')

    clock.advance({ seconds: 30 })
    ;(await transfer(b, c)).assertStatus(200)
  })

  test('the quota counts transfers and self-service deactivations per period', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock(start)
    const { activate, transfer, deactivate } = await licenseWith(client, {
      transferQuota: 2,
      transferQuotaPeriodDays: 30,
    })
    const [a, b, c, d] = [fingerprint(), fingerprint(), fingerprint(), fingerprint()]
    await activate(a)
    await activate(c)
    const first = await transfer(a, b)
    assert.containsSubset(first.body(), { transfers_left: 1, next_transfer_at: null })
    clock.advance({ days: 10 })
    ;(await deactivate(c)).assertStatus(200)

    clock.advance({ days: 1 })
    const refused = await transfer(b, d)
    refused.assertStatus(429)
    assert.equal(refused.body().error.code, 'TRANSFER_QUOTA_EXCEEDED')
    // The first move leaves the 30-day period on 31 July, 08:00.
    assert.equal(refused.body().error.retry_at, '2026-07-31T08:00:00.000Z')
    assert.equal(refused.header('retry-after'), String(19 * 86400))
    const deactivation = await deactivate(b)
    deactivation.assertStatus(429)
    assert.equal(deactivation.body().error.code, 'TRANSFER_QUOTA_EXCEEDED')

    clock.set(DateTime.fromISO('2026-07-31T08:00:00Z'))
    const again = await transfer(b, d)
    again.assertStatus(200)
    // Used up again until the deactivation of 11 July leaves the period.
    assert.containsSubset(again.body(), {
      transfers_left: 0,
      next_transfer_at: '2026-08-10T08:00:00.000Z',
    })
  })

  test('when both limits hold a move back, the refusal names the one that holds it longer', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock(start)
    const { activate, transfer } = await licenseWith(client, {
      transferCooldownSeconds: 40 * 86400,
      transferQuota: 1,
      transferQuotaPeriodDays: 30,
    })
    const [a, b, c] = [fingerprint(), fingerprint(), fingerprint()]
    await activate(a)
    const first = await transfer(a, b)
    assert.containsSubset(first.body(), {
      transfers_left: 0,
      next_transfer_at: '2026-08-10T08:00:00.000Z',
    })
    clock.advance({ days: 1 })
    const cooldown = await transfer(b, c)
    cooldown.assertStatus(429)
    assert.containsSubset(cooldown.body().error, {
      code: 'TRANSFER_COOLDOWN',
      retry_at: '2026-08-10T08:00:00.000Z',
    })

    const other = await licenseWith(client, {
      transferCooldownSeconds: 86400,
      transferQuota: 1,
      transferQuotaPeriodDays: 30,
    })
    await other.activate(a)
    ;(await other.transfer(a, b)).assertStatus(200)
    const quota = await other.transfer(b, c)
    assert.containsSubset(quota.body().error, {
      code: 'TRANSFER_QUOTA_EXCEEDED',
      // Moved on 2 July, a day after the first license.
      retry_at: '2026-08-01T08:00:00.000Z',
    })
  })

  test('concurrent deactivations cannot exceed the quota', async ({ client, assert }) => {
    useFixedClock(start)
    const { license, activate, deactivate } = await licenseWith(
      client,
      { transferQuota: 2 },
      { maxDevices: 6 }
    )
    const devices = Array.from({ length: 6 }, () => fingerprint())
    for (const device of devices) await activate(device)
    const answers = await Promise.all(devices.map((device) => deactivate(device)))
    const statuses = answers.map((answer) => answer.status()).sort()
    assert.deepEqual(statuses, [200, 200, 429, 429, 429, 429])
    const counted = await db
      .from('device_transfers')
      .where({ license_id: license.id, counted: true })
      .count('* as total')
    assert.equal(Number(counted[0].total), 2)
  })

  test('a quota of 0 allows no self-service move at all', async ({ client, assert }) => {
    useFixedClock(start)
    const { activate, transfer } = await licenseWith(client, { transferQuota: 0 })
    const device = fingerprint()
    await activate(device)
    const refused = await transfer(device, fingerprint())
    refused.assertStatus(429)
    assert.deepInclude(refused.body().error, { code: 'TRANSFER_QUOTA_EXCEEDED', retry_at: null })
    assert.isNull(refused.header('retry-after') ?? null)
  })

  test('an admin deactivation is recorded uncounted and never refused', async ({
    client,
    assert,
  }) => {
    useFixedClock(start)
    const { license, activate, transfer } = await licenseWith(client, {
      transferQuota: 1,
      transferCooldownSeconds: 86400,
    })
    const [a, b] = [fingerprint(), fingerprint()]
    await activate(a)
    await activate(b)
    ;(await transfer(a, fingerprint())).assertStatus(200)
    const licenses = await app.container.make(LicenseService)
    await licenses.deactivate(
      { licenseKey: license.key, fingerprint: b },
      { type: 'admin', label: 'ops@example.com' }
    )
    const moves = await db
      .from('device_transfers')
      .where('license_id', license.id)
      .orderBy('id')
      .select('kind', 'counted', 'actor_type')
    assert.deepEqual(moves, [
      { kind: 'transfer', counted: true, actor_type: 'api_key' },
      { kind: 'deactivation', counted: false, actor_type: 'admin' },
    ])
  })
})

test.group('Device transfers in the panel', () => {
  test('an admin moves a device from the license page, uncounted, past the quota', async ({
    assert,
  }) => {
    const now = DateTime.utc()
    const { client } = await loggedInPanel('admin')
    const product = await Product.create({
      name: 'Panel moves',
      slug: unique('panel-moves'),
      transferQuota: 0,
    })
    const license = await createLicense({ productId: product.id, type: 'perpetual' })
    const from = fingerprint()
    const device = await Device.create({
      licenseId: license.id,
      fingerprint: from,
      active: true,
      firstActivatedAt: now,
      lastSeenAt: now,
    })

    const page = await client.get(`/admin/licenses/${license.id}`)
    assert.equal(page.status, 200)
    assert.include(page.body, 'id="transfers"')
    assert.include(page.body, '0 of 0 per 30 days')
    const to = fingerprint()
    const moved = await client.post(`/admin/licenses/${license.id}/transfers`, {
      device_id: device.id,
      to_fingerprint: to,
    })
    assert.equal(moved.status, 302)
    assert.equal((await Device.findOrFail(device.id)).fingerprint, to)
    const [move] = await db.from('device_transfers').where('license_id', license.id)
    assert.containsSubset(move, { kind: 'transfer', counted: false, actor_type: 'admin' })
    const after = await client.get(`/admin/licenses/${license.id}`)
    assert.include(after.body, `The device was moved to ${to}.`)
    assert.include(after.body, to)

    const taken = await client.post(`/admin/licenses/${license.id}/transfers`, {
      device_id: device.id,
      to_fingerprint: to,
    })
    assert.equal(taken.status, 302)
    const form = await client.get(`/admin/licenses/${license.id}`)
    assert.include(form.body, 'This fingerprint is already an active device of the license.')
  })
})
