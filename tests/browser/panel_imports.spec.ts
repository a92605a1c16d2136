import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import Customer from '#models/customer'
import { unique } from '#tests/support/fixtures'
import { signedInPage } from '#tests/support/browser'

test.group('Panel in a browser: CSV import', () => {
  test('upload a customers file, read the check, import it', async ({ visit, assert }) => {
    const { page } = await signedInPage(visit, 'admin')
    const name = unique('Imported in a browser')
    await page.getByRole('link', { name: 'Customers', exact: true }).click()
    await page.getByRole('link', { name: 'Import / export' }).click()
    await page.waitForURL('**/admin/imports')

    const customers = page.getByTestId('import-customers')
    await customers.getByLabel('CSV file').setInputFiles({
      name: 'customers.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`customer_id,name,email,company,notes\n,${name},,Browser Ltd,\n`),
    })
    await customers.getByRole('button', { name: 'Check the file' }).click()
    await page.assertTextContains(
      '[data-testid=import-preview]',
      'importing it creates 1, updates 0 and leaves 0 unchanged'
    )
    await page.screenshot({ path: join(tmpdir(), 'keyward-import-check.png'), fullPage: true })
    assert.isNull(await Customer.findBy('name', name), 'the check writes nothing')

    await page.getByRole('button', { name: 'Import', exact: true }).click()
    await page.waitForURL('**/admin/imports')
    await page.assertTextContains('[role=status]', 'Imported: 1 created, 0 updated, 0 unchanged.')
    const customer = await Customer.findByOrFail('name', name)
    assert.equal(customer.company, 'Browser Ltd')
    await page.screenshot({ path: join(tmpdir(), 'keyward-import-page.png'), fullPage: true })
  })
})
