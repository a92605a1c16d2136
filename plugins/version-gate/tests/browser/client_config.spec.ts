import { test } from '@japa/runner'
import { baseUrl, createLicense, fingerprint, newApiKey } from '#tests/support/fixtures'
import { signedInPage } from '#tests/support/browser'
import { configuredProduct } from '../support.js'

test.group('version-gate in a browser', () => {
  test('raising the minimum version in the panel turns older clients away', async ({
    visit,
    assert,
  }) => {
    const { product, configId } = await configuredProduct({
      current_version: '2.0.0',
      minimum_version: '1.0.0',
      download_url: 'https://example.com/app-2.0.0.zip',
    })
    const license = await createLicense({ productId: product.id, type: 'perpetual', maxDevices: 3 })
    const apiKey = await newApiKey()
    const start = (version: string) =>
      fetch(`${baseUrl()}/api/license/session/start`, {
        method: 'POST',
        headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
        body: JSON.stringify({
          license_key: license.key,
          hardware_fingerprint: fingerprint(),
          version,
        }),
      })
    // Still supported before the change.
    const before = await start('1.5.0')
    assert.equal(before.status, 201)
    await fetch(`${baseUrl()}/api/license/session/end`, {
      method: 'POST',
      headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ session_token: ((await before.json()) as any).session_token }),
    })

    const { page } = await signedInPage(visit, 'admin')
    await page.getByRole('link', { name: 'Client configuration' }).click()
    await page.getByPlaceholder('Search products').fill(product.slug)
    await page.getByRole('button', { name: 'Filter' }).click()
    await page
      .locator(`tr[data-product="${product.slug}"]`)
      .getByRole('link', { name: 'Edit' })
      .click()
    await page.waitForURL(`**/admin/client-config/${configId}/edit`)
    await page.getByLabel('Minimum supported version').fill('2.0.0')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.waitForURL(`**/admin/client-config/${configId}`)
    await page.assertTextContains('[role=status]', 'was saved')
    await page.assertTextContains('[data-field=minimum_version]', '2.0.0')

    const after = await start('1.5.0')
    assert.equal(after.status, 426)
    const { error } = (await after.json()) as any
    assert.equal(error.code, 'VERSION_TOO_OLD')
    assert.deepEqual(error.update, {
      current_version: '2.0.0',
      minimum_version: '2.0.0',
      download_url: 'https://example.com/app-2.0.0.zip',
      whats_new: null,
      required: true,
    })
    assert.equal((await start('2.0.0')).status, 201)
  })
})
