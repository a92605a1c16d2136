import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Device from '#models/device'
import { newApiKey, createLicense, fingerprint } from '#tests/support/fixtures'
import { restoreClock, useFixedClock } from '#tests/support/sessions'
import { DEVICE_SEEN_RESOLUTION_SECONDS } from '#services/license_service'

let apiKey: string

async function activate(client: any, licenseKey: string, device: string) {
  const response = await client
    .post('/api/license/activate')
    .header('x-api-key', apiKey)
    .json({ license_key: licenseKey, hardware_fingerprint: device })
  response.assertStatus(201)
}

test.group('POST /api/license/verify', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  test('an activated device on an active license is VALID', async ({ client, assert }) => {
    const license = await createLicense()
    const device = fingerprint()
    await activate(client, license.key, device)
    const before = await Device.findByOrFail({ licenseId: license.id, fingerprint: device })

    const response = await client
      .post('/api/license/verify')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: device, version: '1.2.3' })
    response.assertStatus(200)
    response.assertBodyContains({ valid: true, code: 'VALID', license: { key: license.key } })
    const after = await Device.findByOrFail({ licenseId: license.id, fingerprint: device })
    assert.isTrue(after.lastSeenAt >= before.lastSeenAt)
  })

  test("a verify writes the device's last_seen_at only when it is older than the resolution", async ({
    client,
    assert,
    cleanup,
  }) => {
    cleanup(() => restoreClock())
    const clock = useFixedClock()
    const license = await createLicense()
    const device = fingerprint()
    await activate(client, license.key, device)
    const seen = async () =>
      (
        await Device.findByOrFail({ licenseId: license.id, fingerprint: device })
      ).lastSeenAt.toMillis()
    const verify = () =>
      client
        .post('/api/license/verify')
        .header('x-api-key', apiKey)
        .json({ license_key: license.key, hardware_fingerprint: device })
    const activatedAt = await seen()

    clock.advance({ seconds: DEVICE_SEEN_RESOLUTION_SECONDS - 1 })
    ;(await verify()).assertBodyContains({ code: 'VALID' })
    assert.equal(await seen(), activatedAt, 'fresh enough: not written')

    clock.advance({ seconds: 2 })
    ;(await verify()).assertBodyContains({ code: 'VALID' })
    assert.equal(await seen(), clock.now().toMillis(), 'stale: written')
  })

  test('without a fingerprint it answers for the license alone', async ({ client }) => {
    const license = await createLicense()
    const response = await client
      .post('/api/license/verify')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key })
    response.assertBodyContains({ valid: true, code: 'VALID' })
  })

  test('an unknown device is DEVICE_NOT_ACTIVATED', async ({ client }) => {
    const license = await createLicense()
    const response = await client
      .post('/api/license/verify')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
    response.assertStatus(200)
    response.assertBodyContains({ valid: false, code: 'DEVICE_NOT_ACTIVATED' })
  })

  test('a deactivated device is DEVICE_NOT_ACTIVATED', async ({ client }) => {
    const license = await createLicense()
    const device = fingerprint()
    await activate(client, license.key, device)
    await client
      .post('/api/license/deactivate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: device })
    const response = await client
      .post('/api/license/verify')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: device })
    response.assertBodyContains({ valid: false, code: 'DEVICE_NOT_ACTIVATED' })
  })

  for (const [overrides, code, status] of [
    [{ status: 'suspended' }, 'SUSPENDED', 'suspended'],
    [{ status: 'revoked' }, 'REVOKED', 'revoked'],
    [
      { expiryBasis: 'creation', expiresAt: DateTime.utc().minus({ seconds: 1 }) },
      'EXPIRED',
      'expired',
    ],
  ] as const) {
    test(`a ${status} license answers ${code}`, async ({ client }) => {
      const license = await createLicense({ ...overrides })
      const response = await client
        .post('/api/license/verify')
        .header('x-api-key', apiKey)
        .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
      response.assertStatus(200)
      response.assertBodyContains({ valid: false, code, license: { status } })
    })
  }

  test('an unknown key is 404 LICENSE_NOT_FOUND', async ({ client }) => {
    const response = await client
      .post('/api/license/verify')
      .header('x-api-key', apiKey)
      .json({ license_key: 'NOPE-NOPE-NOPE-NOPE' })
    response.assertStatus(404)
    response.assertBodyContains({ error: { code: 'LICENSE_NOT_FOUND' } })
  })
})

test.group('GET /api/license/info/:license_key', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  test('answers the LicenseView, counting devices in use', async ({ client, assert }) => {
    const license = await createLicense({
      maxDevices: 3,
      maxSessions: 2,
      sessionPolicy: 'concurrent',
      features: { pro: true, seats: 3 },
    })
    await activate(client, license.key, fingerprint())
    await activate(client, license.key, fingerprint())
    const response = await client
      .get(`/api/license/info/${license.key.toLowerCase()}`)
      .header('x-api-key', apiKey)
    response.assertStatus(200)
    assert.deepEqual(Object.keys(response.body()).sort(), [
      'devices_in_use',
      'expires_at',
      'features',
      'grace_ends_at',
      'key',
      'max_devices',
      'max_sessions',
      'product',
      'session_policy',
      'status',
      'type',
    ])
    response.assertBodyContains({
      key: license.key,
      status: 'active',
      max_devices: 3,
      max_sessions: 2,
      session_policy: 'concurrent',
      devices_in_use: 2,
      features: { pro: true, seats: 3 },
    })
  })

  test('an unknown key is 404 LICENSE_NOT_FOUND', async ({ client }) => {
    const response = await client.get('/api/license/info/UNKNOWN-KEY').header('x-api-key', apiKey)
    response.assertStatus(404)
    response.assertBodyContains({ error: { code: 'LICENSE_NOT_FOUND' } })
  })

  test('a key with characters no key has is a validation error', async ({ client }) => {
    const response = await client.get('/api/license/info/bad%20key%21').header('x-api-key', apiKey)
    response.assertStatus(422)
    response.assertBodyContains({ error: { code: 'VALIDATION_ERROR' } })
  })
})

test.group('POST /api/license/deactivate', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  test('frees the slot for another device and is audited', async ({ client, assert }) => {
    const license = await createLicense({ maxDevices: 1 })
    const device = fingerprint()
    await activate(client, license.key, device)

    const response = await client
      .post('/api/license/deactivate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: device })
    response.assertStatus(200)
    response.assertBody({ deactivated: true })

    await activate(client, license.key, fingerprint())
    const row = await Device.findByOrFail({ licenseId: license.id, fingerprint: device })
    assert.isFalse(row.active)
    assert.isNotNull(row.deactivatedAt)
    const audit = await db
      .from('audit_logs')
      .where({ action: 'device.deactivated', subject_id: String(license.id) })
    assert.lengthOf(audit, 1)
  })

  test('a device that is not active is 404 DEVICE_NOT_FOUND', async ({ client }) => {
    const license = await createLicense()
    const response = await client
      .post('/api/license/deactivate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
    response.assertStatus(404)
    response.assertBodyContains({ error: { code: 'DEVICE_NOT_FOUND' } })
  })

  test('an unknown license is 404 LICENSE_NOT_FOUND', async ({ client }) => {
    const response = await client
      .post('/api/license/deactivate')
      .header('x-api-key', apiKey)
      .json({ license_key: 'NOPE-NOPE-NOPE-NOPE', hardware_fingerprint: fingerprint() })
    response.assertStatus(404)
    response.assertBodyContains({ error: { code: 'LICENSE_NOT_FOUND' } })
  })
})
