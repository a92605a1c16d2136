import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import License from '#models/license'
import { newApiKey, createLicense, createProduct, unique } from '#tests/support/fixtures'

let apiKey: string

test.group('Single-use activation', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  test('validate answers without changing anything', async ({ client, assert }) => {
    const license = await createLicense({ type: '5d' })
    const response = await client.get(`/api/validate/${license.key}`).header('x-api-key', apiKey)
    response.assertStatus(200)
    response.assertBody({ valid: true, used: false, type: '5d', expires_at: null })
    const reloaded = await License.findOrFail(license.id)
    assert.isNull(reloaded.activatedAt)
  })

  test('activate binds the key to one domain and starts its clock', async ({ client, assert }) => {
    const license = await createLicense({ type: '5d' })
    const domain = unique('shop.example.com')
    const response = await client
      .post('/api/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, domain_fingerprint: domain })
    response.assertStatus(200)
    assert.isTrue(response.body().activated)
    const expiresAt = DateTime.fromISO(response.body().expires_at)
    const days = expiresAt.diff(DateTime.utc(), 'days').days
    assert.isAbove(days, 4.99)
    assert.isBelow(days, 5.01)

    const again = await client
      .post('/api/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, domain_fingerprint: domain })
    again.assertStatus(200)
    assert.equal(again.body().expires_at, response.body().expires_at)

    const validate = await client.get(`/api/validate/${license.key}`).header('x-api-key', apiKey)
    validate.assertBodyContains({ valid: true, used: true, expires_at: response.body().expires_at })
  })

  test('another fingerprint is 409 LICENSE_ALREADY_USED', async ({ client, assert }) => {
    const license = await createLicense({ type: '1d', maxDevices: 3 })
    await client
      .post('/api/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, domain_fingerprint: 'first.example' })
    const response = await client
      .post('/api/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, domain_fingerprint: 'second.example' })
    response.assertStatus(409)
    response.assertBodyContains({ error: { code: 'LICENSE_ALREADY_USED' } })
    const devices = await db.from('devices').where('license_id', license.id)
    assert.lengthOf(devices, 1)
  })

  test('a released binding lets the key move, with its clock still running', async ({
    client,
    assert,
  }) => {
    const license = await createLicense({ type: '1m' })
    const first = await client
      .post('/api/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, domain_fingerprint: 'old-shop.example' })
    await client
      .post('/api/license/deactivate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: 'old-shop.example' })
      .then((response) => response.assertStatus(200))

    const moved = await client
      .post('/api/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, domain_fingerprint: 'new-shop.example' })
    moved.assertStatus(200)
    assert.equal(moved.body().expires_at, first.body().expires_at)

    const back = await client
      .post('/api/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, domain_fingerprint: 'old-shop.example' })
    back.assertStatus(409)
    back.assertBodyContains({ error: { code: 'LICENSE_ALREADY_USED' } })
  })

  test('unknown keys are 404 and refused licenses 403', async ({ client }) => {
    const missing = await client
      .post('/api/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: 'NOPE-NOPE-NOPE-NOPE', domain_fingerprint: 'x.example' })
    missing.assertStatus(404)
    missing.assertBodyContains({ error: { code: 'LICENSE_NOT_FOUND' } })

    const revoked = await createLicense({ status: 'revoked' })
    const refused = await client
      .post('/api/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: revoked.key, domain_fingerprint: 'x.example' })
    refused.assertStatus(403)
    refused.assertBodyContains({ error: { code: 'LICENSE_REVOKED' } })

    const unknownValidate = await client
      .get('/api/validate/NOPE-NOPE-NOPE-NOPE')
      .header('x-api-key', apiKey)
    unknownValidate.assertStatus(404)
  })

  test('validate reports an expired license as not valid', async ({ client }) => {
    const license = await createLicense({
      expiryBasis: 'creation',
      expiresAt: DateTime.utc().minus({ days: 1 }),
    })
    const response = await client.get(`/api/validate/${license.key}`).header('x-api-key', apiKey)
    response.assertBodyContains({ valid: false, used: false })
  })
})

test.group('GET /api/stats', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  test('counts licenses by type: used, available', async ({ client, assert }) => {
    const beforeResponse = await client.get('/api/stats').header('x-api-key', apiKey)
    const before = beforeResponse.body()
    const product = await createProduct()
    const type = `${Math.floor(Math.random() * 900) + 100}d`
    const used = await createLicense({ productId: product.id, type })
    await createLicense({ productId: product.id, type })
    await createLicense({ productId: product.id, type, status: 'suspended' })
    await client
      .post('/api/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: used.key, domain_fingerprint: 'stats.example' })

    const response = await client.get('/api/stats').header('x-api-key', apiKey)
    response.assertStatus(200)
    const body = response.body()
    assert.deepEqual(body.by_type[type], { total: 3, used: 1, available: 1 })
    assert.equal(body.total, before.total + 3)
    assert.equal(body.used, before.used + 1)
    assert.equal(body.available, before.available + 1)
  })
})
