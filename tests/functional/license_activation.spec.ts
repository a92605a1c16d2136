import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Device from '#models/device'
import { Clock, FixedClock } from '#support/clock'
import { deriveFingerprint } from '#support/license_keys'
import { newApiKey, createLicense, fingerprint } from '#tests/support/fixtures'

let apiKey: string

test.group('POST /api/license/activate', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  test('a new device is bound: 201 with the license view and the device', async ({
    client,
    assert,
  }) => {
    const license = await createLicense({ maxDevices: 2 })
    const device = fingerprint()
    const response = await client
      .post('/api/license/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: device, device_name: 'Office PC' })

    response.assertStatus(201)
    const body = response.body()
    assert.containsSubset(body.license, {
      key: license.key,
      status: 'active',
      type: '1m',
      max_devices: 2,
      max_sessions: 1,
      session_policy: 'resumable',
      devices_in_use: 1,
      features: {},
    })
    assert.containsSubset(body.device, { fingerprint: device, name: 'Office PC', active: true })
    assert.isString(body.license.product)

    const audit = await db
      .from('audit_logs')
      .where({ action: 'device.activated', subject_id: String(license.id) })
    assert.lengthOf(audit, 1)
    assert.equal(audit[0].actor_type, 'api_key')
  })

  test('the same fingerprint again is the same device: 200, no second row', async ({
    client,
    assert,
  }) => {
    const license = await createLicense()
    const device = fingerprint()
    const body = { license_key: license.key, hardware_fingerprint: device }
    const first = await client.post('/api/license/activate').header('x-api-key', apiKey).json(body)
    const second = await client.post('/api/license/activate').header('x-api-key', apiKey).json(body)

    first.assertStatus(201)
    second.assertStatus(200)
    assert.equal(second.body().device.first_activated_at, first.body().device.first_activated_at)
    assert.equal(second.body().license.devices_in_use, 1)
    assert.lengthOf(await Device.query().where('licenseId', license.id), 1)
  })

  test('keys are matched after trimming and upper-casing, legacy keys included', async ({
    client,
  }) => {
    const license = await createLicense({ key: `ABC${Date.now().toString().slice(-9)}` })
    const response = await client
      .post('/api/license/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: `  ${license.key.toLowerCase()} `, hardware_fingerprint: fingerprint() })
    response.assertStatus(201)
    response.assertBodyContains({ license: { key: license.key } })
  })

  test('machine_id + hardware_hash stand in for a fingerprint, derived deterministically', async ({
    client,
    assert,
  }) => {
    const license = await createLicense()
    const identity = { machine_id: 'machine-1', hardware_hash: 'cpu:abc|disk:def' }
    const response = await client
      .post('/api/license/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, ...identity })
    response.assertStatus(201)
    assert.equal(
      response.body().device.fingerprint,
      deriveFingerprint(identity.machine_id, identity.hardware_hash)
    )
  })

  test('a device beyond max_devices is refused with 409 DEVICE_LIMIT_REACHED', async ({
    client,
    assert,
  }) => {
    const license = await createLicense({ maxDevices: 1 })
    await client
      .post('/api/license/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
      .then((response) => response.assertStatus(201))

    const refused = await client
      .post('/api/license/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
    refused.assertStatus(409)
    refused.assertBody({
      error: {
        code: 'DEVICE_LIMIT_REACHED',
        message: 'The license is already activated on the maximum number of devices.',
      },
    })
    assert.lengthOf(await Device.query().where('licenseId', license.id), 1)
  })

  test('unknown key: 404 LICENSE_NOT_FOUND and nothing written', async ({ client, assert }) => {
    const auditBefore = await db.from('audit_logs').count('* as total').first()
    const response = await client
      .post('/api/license/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: 'ZZZZ-ZZZZ-ZZZZ-ZZZZ', hardware_fingerprint: fingerprint() })
    response.assertStatus(404)
    response.assertBodyContains({ error: { code: 'LICENSE_NOT_FOUND' } })
    const auditAfter = await db.from('audit_logs').count('* as total').first()
    assert.equal(auditAfter.total, auditBefore.total)
  })

  for (const [status, code] of [
    ['suspended', 'LICENSE_SUSPENDED'],
    ['revoked', 'LICENSE_REVOKED'],
  ] as const) {
    test(`a ${status} license is refused with 403 ${code}`, async ({ client, assert }) => {
      const license = await createLicense({ status })
      const response = await client
        .post('/api/license/activate')
        .header('x-api-key', apiKey)
        .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
      response.assertStatus(403)
      response.assertBodyContains({ error: { code } })
      assert.lengthOf(await Device.query().where('licenseId', license.id), 0)
    })
  }

  test('an expired license is refused with 403 LICENSE_EXPIRED', async ({ client, assert }) => {
    const license = await createLicense({
      expiryBasis: 'creation',
      expiresAt: DateTime.utc().minus({ minutes: 1 }),
    })
    const response = await client
      .post('/api/license/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
    response.assertStatus(403)
    response.assertBodyContains({ error: { code: 'LICENSE_EXPIRED' } })
    assert.lengthOf(await Device.query().where('licenseId', license.id), 0)
  })

  test('the first activation starts a first-activation license, exactly once', async ({
    client,
    assert,
    cleanup,
  }) => {
    const clock = new FixedClock(DateTime.fromISO('2026-01-31T10:00:00Z'))
    app.container.swap(Clock, () => clock)
    cleanup(() => app.container.restore(Clock))

    const license = await createLicense({ type: '1m', maxDevices: 2 })
    const info = await client.get(`/api/license/info/${license.key}`).header('x-api-key', apiKey)
    assert.isNull(info.body().expires_at)

    const first = await client
      .post('/api/license/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
    assert.equal(first.body().license.expires_at, '2026-02-28T10:00:00.000Z')

    clock.advance({ days: 3 })
    const second = await client
      .post('/api/license/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
    second.assertStatus(201)
    assert.equal(second.body().license.expires_at, '2026-02-28T10:00:00.000Z')

    clock.set(DateTime.fromISO('2026-02-28T10:00:01Z'))
    const late = await client
      .post('/api/license/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
    late.assertStatus(403)
    late.assertBodyContains({ error: { code: 'LICENSE_EXPIRED' } })
  })

  test('a perpetual license never gets an expiry', async ({ client, assert }) => {
    const license = await createLicense({ type: 'perpetual' })
    const response = await client
      .post('/api/license/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
    response.assertStatus(201)
    assert.isNull(response.body().license.expires_at)
    await license.refresh()
    assert.isNotNull(license.activatedAt)
  })

  test('a deactivated device can come back into a free slot, reusing its row', async ({
    client,
    assert,
  }) => {
    const license = await createLicense({ maxDevices: 1 })
    const device = fingerprint()
    const body = { license_key: license.key, hardware_fingerprint: device }
    await client.post('/api/license/activate').header('x-api-key', apiKey).json(body)
    await client.post('/api/license/deactivate').header('x-api-key', apiKey).json(body)
    const again = await client.post('/api/license/activate').header('x-api-key', apiKey).json(body)
    again.assertStatus(201)
    const rows = await Device.query().where('licenseId', license.id)
    assert.lengthOf(rows, 1)
    assert.isTrue(rows[0].active)
    assert.isNull(rows[0].deactivatedAt)
  })
})

test.group('Concurrent activations', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  test('20 devices racing for 3 slots: exactly 3 win', async ({ client, assert }) => {
    const license = await createLicense({ maxDevices: 3 })
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        client
          .post('/api/license/activate')
          .header('x-api-key', apiKey)
          .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
      )
    )
    const statuses = responses.map((response) => response.status())
    assert.equal(statuses.filter((status) => status === 201).length, 3)
    assert.equal(statuses.filter((status) => status === 409).length, 17)
    const active = await Device.query().where({ licenseId: license.id, active: true })
    assert.lengthOf(active, 3)
  })

  test('one device racing itself: one row, one 201, the rest 200', async ({ client, assert }) => {
    const license = await createLicense({ maxDevices: 3 })
    const device = fingerprint()
    const responses = await Promise.all(
      Array.from({ length: 10 }, () =>
        client
          .post('/api/license/activate')
          .header('x-api-key', apiKey)
          .json({ license_key: license.key, hardware_fingerprint: device })
      )
    )
    const statuses = responses.map((response) => response.status()).sort()
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 200, 200, 201])
    assert.lengthOf(await Device.query().where('licenseId', license.id), 1)
  })
})
