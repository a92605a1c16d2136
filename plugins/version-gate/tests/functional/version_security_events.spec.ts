import { test } from '@japa/runner'
import { createLicense, fingerprint, newApiKey } from '#tests/support/fixtures'
import { securityEventsOf, testAgent } from '#tests/support/security'
import { configuredProduct } from '../support.js'

/**
 * A version refused by the gate (`426 VERSION_TOO_OLD`) is a security
 * event of the core's record, with the product: a client kept on an old,
 * perhaps patched build shows up there.
 */
test.group('version-gate: refusals are security events', () => {
  test('a session start below the minimum writes version_refused with the product and version', async ({
    client,
    assert,
  }) => {
    const { product } = await configuredProduct({
      current_version: '2.4.0',
      minimum_version: '2.0.0',
      download_url: 'https://example.com/app-2.4.0.zip',
    })
    const license = await createLicense({ productId: product.id, type: 'perpetual' })
    const agent = testAgent()
    const apiKey = await newApiKey()
    const start = (version: string) =>
      client
        .post('/api/license/session/start')
        .header('X-API-Key', apiKey)
        .header('User-Agent', agent)
        .json({ license_key: license.key, hardware_fingerprint: fingerprint(), version })
    ;(await start('1.9.9')).assertStatus(426)
    ;(await start('2.1.0')).assertStatus(201)

    const events = await securityEventsOf(agent)
    assert.deepEqual(
      events.map((event) => [event.kind, event.product_id, event.details.version]),
      [['version_refused', product.id, '1.9.9']]
    )
  })
})
