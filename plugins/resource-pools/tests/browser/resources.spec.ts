import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createLicense, unique } from '#tests/support/fixtures'
import { signedInPage } from '#tests/support/browser'
import { uniqueDomain } from '../support.js'

test.group('resource-pools in a browser', () => {
  test('add domains in bulk, allocate two to a license, swap one, see the history', async ({
    visit,
    assert,
  }) => {
    const { page } = await signedInPage(visit, 'admin')
    const pool = unique('browser')
    const domains = [uniqueDomain(), uniqueDomain(), uniqueDomain()]

    await page.getByRole('navigation').getByRole('link', { name: 'Resources', exact: true }).click()
    await page.getByRole('link', { name: 'Add resources' }).click()
    await page.getByLabel('Type').selectOption('domain')
    await page.getByLabel('Values, one per line').fill(domains.join('\n'))
    await page.getByLabel('Pool').fill(pool)
    await page.getByRole('button', { name: 'Add', exact: true }).click()
    await page.assertTextContains('[data-testid=add-outcome]', '3 resources added.')

    const license = await createLicense()
    await page.goto(`/admin/licenses/${license.id}`)
    await page
      .locator('[data-card="resource-pools"]')
      .getByRole('link', { name: 'Resources' })
      .click()
    const allocate = page.getByTestId('allocate-form')
    await allocate.getByLabel('Domains').fill('2')
    await allocate.getByLabel('Pool').selectOption(pool)
    await allocate.getByRole('button', { name: 'Allocate' }).click()
    await page.assertTextContains('[role=status]', '2 resources allocated.')
    const held = await db
      .from('resource_pools_resources')
      .where({ license_id: license.id })
      .orderBy('id')
    assert.lengthOf(held, 2)

    const burned = held[0].value
    const row = page.locator(`tr[data-value="${burned}"]`)
    await row.getByLabel('Reason').fill('blocked by a filter')
    await row.getByRole('button', { name: 'Swap' }).click()
    await page.assertTextContains('[role=status]', `${burned} was swapped for`)
    const spare = domains.find((domain) => !held.some((resource) => resource.value === domain))!
    await page.assertTextContains('[data-testid=license-resources]', spare)
    await page.assertTextContains('[data-testid=resource-history]', 'Swapped out')
    await page.assertTextContains('[data-testid=resource-history]', `replaced by ${spare}`)

    // The burned domain's own page tells its whole story.
    await page.getByTestId('resource-history').getByRole('link', { name: burned }).first().click()
    await page.assertTextContains('[data-testid=resource-status]', 'Quarantined')
    const history = page.getByTestId('resource-history')
    for (const step of ['Added', 'Allocated', 'Swapped out', 'Released', 'Quarantined']) {
      await page.assertTextContains('[data-testid=resource-history]', step)
    }
    await page.assertTextContains('[data-testid=resource-history]', 'blocked by a filter')
    assert.equal(await history.locator('tr[data-action]').count(), 5)
  })
})
