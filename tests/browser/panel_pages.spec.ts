import { stat } from 'node:fs/promises'
import { test } from '@japa/runner'
import Customer from '#models/customer'
import License from '#models/license'
import {
  baseUrl,
  createLicense,
  createProduct,
  fingerprint,
  newApiKey,
  unique,
} from '#tests/support/fixtures'
import { signedInPage } from '#tests/support/browser'

const stats = (key: string) => fetch(`${baseUrl()}/api/stats`, { headers: { 'X-API-Key': key } })

test.group('Panel in a browser: pages', () => {
  test('create an API key (shown once), then revoke it', async ({ visit, assert }) => {
    const { page } = await signedInPage(visit, 'owner')
    await page.getByRole('link', { name: 'API keys' }).click()
    await page.getByLabel('Name', { exact: true }).fill('Browser test key')
    await page.getByRole('button', { name: 'Create key' }).click()
    const key = (await page.getByTestId('api-key').textContent())!.trim()
    assert.equal((await stats(key)).status, 200)

    await page.goto('/admin/api-keys?q=Browser+test+key')
    await page.assertNotExists(`text=${key}`)
    await page.getByRole('button', { name: 'Revoke' }).first().click()
    await page.assertTextContains('[role=status]', 'was revoked')
    assert.equal((await stats(key)).status, 401)
  })
})

test.group('Panel in a browser: customers, licenses, sessions', () => {
  test('create a customer, then a license batch for them', async ({ visit, assert }) => {
    const product = await createProduct()
    const { page } = await signedInPage(visit, 'admin')
    const name = unique('Browser Customer')
    await page.getByRole('link', { name: 'Customers' }).click()
    await page.getByRole('link', { name: 'New customer' }).click()
    await page.getByLabel('Name').fill(name)
    await page.getByLabel('Email').fill(`${name.replaceAll(' ', '.').toLowerCase()}@example.com`)
    await page.getByRole('button', { name: 'Save' }).click()
    await page.waitForURL(/\/admin\/customers\/\d+$/)
    await page.assertTextContains('[role=status]', 'was created')
    const customer = await Customer.findByOrFail('name', name)

    await page.getByRole('link', { name: 'Issue licenses' }).click()
    await page.getByLabel('Product').selectOption(String(product.id))
    await page.getByLabel('Type').fill('12m')
    await page.getByLabel('How many').fill('5')
    await page.getByLabel('Max devices').fill('2')
    await page.getByRole('button', { name: 'Create licenses' }).click()
    await page.waitForURL(/\/admin\/licenses$/)
    await page.assertTextContains('[role=status]', '5 licenses were created')
    const keys = await page.getByTestId('created-keys').locator('code').allTextContents()
    assert.lengthOf(keys, 5)
    const licenses = await License.query().whereIn('key', keys)
    assert.isTrue(licenses.every((license) => license.customerId === customer.id))
    assert.isTrue(licenses.every((license) => license.maxDevices === 2))
  })

  test('force-end a live session: the client next heartbeat gets 410 forced', async ({
    visit,
    assert,
  }) => {
    const license = await createLicense({ type: 'perpetual' })
    const key = await newApiKey()
    const call = (path: string, body: object) =>
      fetch(`${baseUrl()}/api/license/${path}`, {
        method: 'POST',
        headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      })
    const response = await call('session/start', {
      license_key: license.key,
      hardware_fingerprint: fingerprint(),
    })
    const started = (await response.json()) as { session_token: string }
    assert.isString(started.session_token)

    const { page } = await signedInPage(visit, 'owner')
    await page.getByRole('link', { name: 'Sessions' }).click()
    await page.getByRole('searchbox').fill(license.key)
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.getByRole('button', { name: 'End session' }).click()
    await page.assertTextContains('[role=status]', 'The session was ended')

    const heartbeat = await call('session/heartbeat', {
      license_key: license.key,
      session_token: started.session_token,
    })
    assert.equal(heartbeat.status, 410)
    const refusal = (await heartbeat.json()) as { error: { end_reason: string } }
    assert.equal(refusal.error.end_reason, 'forced')
  })

  test('screenshots of the dashboard and the licenses page', async ({ visit, assert }) => {
    const customer = await Customer.create({ name: 'Contoso Ltd', email: 'it@contoso.example' })
    const product = await createProduct()
    for (const [index, status] of (
      ['active', 'active', 'suspended', 'revoked'] as const
    ).entries()) {
      await createLicense({
        productId: product.id,
        customerId: index < 2 ? customer.id : null,
        status,
        maxDevices: 3,
        notes: 'screenshot',
      })
    }
    const { page } = await signedInPage(visit, 'owner')
    // The chart is drawn once Chart.js has sized its canvas.
    await page.waitForFunction('document.querySelector("canvas#online-chart")?.clientWidth > 0')
    await page.screenshot({ path: 'tests/screenshots/dashboard.png', fullPage: true })
    await page.getByRole('link', { name: 'Licenses' }).click()
    await page.waitForURL('**/admin/licenses')
    await page.screenshot({ path: 'tests/screenshots/licenses.png', fullPage: false })
    for (const file of ['dashboard.png', 'licenses.png']) {
      assert.isAbove((await stat(`tests/screenshots/${file}`)).size, 10_000)
    }
  })
})
