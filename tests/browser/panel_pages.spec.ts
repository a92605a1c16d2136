import { test } from '@japa/runner'
import { baseUrl } from '#tests/support/fixtures'
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
