import { test } from '@japa/runner'
import testUtils from '@adonisjs/core/services/test_utils'
import db from '@adonisjs/lucid/services/db'
import { newApiKey } from '#tests/support/fixtures'
import { configuredProduct, reconfigure } from '../support.js'

/**
 * Pairs of versions, older first (or equal, when only build metadata
 * differs). Each is checked through the API: with the newer one published
 * as current and minimum, the older one must be told to update and be
 * unsupported, the newer one neither.
 */
const ORDERED = [
  ['1.9.9', '1.10.0'],
  ['1.9.3', '1.10.0'],
  ['1.2.9', '1.10.0'],
  ['0.9.9', '1.0.0'],
  ['1.0.0', '2.0.0'],
  ['2.0.0', '10.0.0'],
  ['1.0.0-alpha', '1.0.0'],
  ['1.0.0-rc.1', '1.0.0'],
  ['1.0.0-alpha', '1.0.0-alpha.1'],
  ['1.0.0-alpha.1', '1.0.0-alpha.beta'],
  ['1.0.0-alpha.beta', '1.0.0-beta'],
  ['1.0.0-beta.2', '1.0.0-beta.11'],
  ['1.0.0-beta.11', '1.0.0-rc.1'],
  ['0.9.0', '1.0.0-alpha'],
  ['1.0', '1.0.1'],
  ['v1.4.2', '1.4.3'],
  ['1.0.0+build.9', '1.0.1+build.1'],
] as const
const EQUAL = [
  ['1.0.0+build.1', '1.0.0+build.2'],
  ['2.1.0+sha.abc', '2.1.0'],
  ['v3.1', '3.1.0'],
] as const

test.group('version-gate: POST /api/version/check', (group) => {
  let apiKey: string
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  const check = (client: any, body: Record<string, unknown>, locale = 'en') =>
    client
      .post('/api/version/check')
      .header('X-API-Key', apiKey)
      .header('Accept-Language', locale)
      .json(body)

  test('orders versions as SemVer: {0} < {1}')
    .with(ORDERED as unknown as [string, string][])
    .run(async ({ client, assert }, [older, newer]) => {
      const configured = await configuredProduct()
      await reconfigure(configured, { current_version: newer, minimum_version: newer })
      const product = configured.product.slug

      const old = await check(client, { version: older, product })
      old.assertStatus(200)
      assert.include(old.body(), { update_available: true, supported: false })
      const current = await check(client, { version: newer, product })
      assert.include(current.body(), { update_available: false, supported: true })
    })

  test('build metadata does not count: {0} = {1}')
    .with(EQUAL as unknown as [string, string][])
    .run(async ({ client, assert }, [a, b]) => {
      const { product } = await configuredProduct({ current_version: a, minimum_version: a })
      const response = await check(client, { version: b, product: product.slug })
      assert.include(response.body(), { update_available: false, supported: true })
    })

  test('answers with the product release', async ({ client, assert }) => {
    const { product } = await configuredProduct({
      current_version: '2.4.0',
      minimum_version: '2.0.0',
      download_url: 'https://example.com/download',
      whats_new: '* faster',
    })
    const response = await check(client, { version: '2.1.0', product: product.slug })
    response.assertStatus(200)
    assert.deepEqual(response.body(), {
      current_version: '2.4.0',
      minimum_version: '2.0.0',
      update_available: true,
      supported: true,
      download_url: 'https://example.com/download',
      whats_new: '* faster',
    })
  })

  test('a malformed version is 422 in the client language', async ({ client, assert }) => {
    const { product } = await configuredProduct()
    for (const version of ['latest', '1.2.3.4', '01.0.0', '', 'x'.repeat(65)]) {
      const response = await check(client, { version, product: product.slug })
      response.assertStatus(422)
      assert.equal(response.body().error.code, 'VALIDATION_ERROR')
      assert.equal(response.body().error.fields[0].field, 'version')
    }
    const german = await check(client, { version: 'neueste', product: product.slug }, 'de')
    assert.deepEqual(german.body().error.fields, [
      {
        field: 'version',
        rule: 'semver',
        message: 'Das Feld version muss eine Versionsnummer wie 1.4.2 sein.',
      },
    ])
    const missing = await check(client, { product: product.slug })
    missing.assertStatus(422)
    assert.equal(missing.body().error.fields[0].rule, 'required')
  })

  test('an unknown product, or one without configuration, is 404', async ({ client, assert }) => {
    const unknown = await check(client, { version: '1.0.0', product: 'no-such-product' })
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'PRODUCT_NOT_FOUND')
    const bad = await check(client, { version: '1.0.0', product: 'Not A Slug!' })
    bad.assertStatus(422)
  })

  test('without a product, a server with several products asks for one', async ({
    client,
    assert,
  }) => {
    await configuredProduct()
    await configuredProduct()
    const response = await check(client, { version: '1.0.0' })
    response.assertStatus(422)
    assert.deepEqual(response.body().error.fields, [
      { field: 'product', rule: 'required', message: 'The product field must be defined' },
    ])
  })

  test('needs an API key', async ({ client }) => {
    const response = await client.post('/api/version/check').json({ version: '1.0.0' })
    response.assertStatus(401)
  })
})

test.group('version-gate: GET /api/version/latest', (group) => {
  let apiKey: string
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  test('answers with the current release of the product', async ({ client, assert }) => {
    const { product } = await configuredProduct({
      current_version: '3.1.0',
      minimum_version: '3.0.0',
      download_url: 'https://example.com/dl',
      whats_new: '# 3.1',
    })
    const response = await client
      .get(`/api/version/latest?product=${product.slug}`)
      .header('X-API-Key', apiKey)
    response.assertStatus(200)
    assert.deepEqual(response.body(), {
      current_version: '3.1.0',
      minimum_version: '3.0.0',
      download_url: 'https://example.com/dl',
      whats_new: '# 3.1',
    })
    const unknown = await client
      .get('/api/version/latest?product=nothing-here')
      .header('X-API-Key', apiKey)
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'PRODUCT_NOT_FOUND')
  })
})

test.group('version-gate: the only configured product is the default', (group) => {
  // Inside one transaction, rolled back afterwards: the other products'
  // configurations are gone for this test alone.
  group.each.setup(() => testUtils.db().withGlobalTransaction())

  test('a client that names no product gets the only configuration', async ({ client, assert }) => {
    await db.from('version_gate_configs').delete()
    const apiKey = await newApiKey()
    const latest = () => client.get('/api/version/latest').header('X-API-Key', apiKey)
    ;(await latest()).assertStatus(404)

    await configuredProduct({ current_version: '4.0.0', minimum_version: '3.0.0' })
    const response = await latest()
    response.assertStatus(200)
    assert.equal(response.body().current_version, '4.0.0')
    const checked = await client
      .post('/api/version/check')
      .header('X-API-Key', apiKey)
      .json({ version: '3.5.0' })
    assert.include(checked.body(), { update_available: true, supported: true })
  })
})
