import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { signedInPage } from '#tests/support/browser'
import { WebhookDelivery } from '../../services/webhook_delivery.js'
import { deliveriesOf, startReceiver } from '../support.js'

test.group('notifications in a browser', (group) => {
  group.each.setup(() => async () => {
    await db.from('notifications_webhook_endpoints').delete()
  })

  test('the owner adds an endpoint, test-sends, reads the log and redelivers', async ({
    visit,
    assert,
  }) => {
    const receiver = await startReceiver([500, 200])
    try {
      const { page } = await signedInPage(visit, 'owner')
      await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click()
      await page.getByRole('link', { name: 'New endpoint' }).click()
      await page.getByLabel('URL').fill(receiver.url())
      await page.getByLabel('Description').fill('Our CRM')
      await page.getByLabel('License suspended').check()
      await page.getByRole('button', { name: 'Create endpoint' }).click()
      await page.assertTextContains('[role=status]', 'was created')
      const secret = await page.getByTestId('webhook-secret').textContent()
      assert.match(secret!, /^whsec_/)
      await page.getByRole('link', { name: 'Done' }).click()

      await page.getByRole('button', { name: 'Send a test event' }).click()
      await page.assertTextContains('[role=status]', 'A test event is on its way')
      const endpoint = await db.from('notifications_webhook_endpoints').first()
      const [ping] = await deliveriesOf(endpoint.id)
      // The job worker's part, done here: the first attempt meets a 500.
      await (await app.container.make(WebhookDelivery)).attempt(Number(ping.id))
      await page.reload()
      await page.assertTextContains(`tr[data-delivery="${ping.id}"]`, 'HTTP 500')
      await page.assertTextContains(`tr[data-delivery="${ping.id}"]`, 'Pending')

      // Given up on by hand: redeliver from the log, and the next attempt succeeds.
      await db.from('notifications_deliveries').where('id', ping.id).update({ status: 'failed' })
      await page.reload()
      await page
        .locator(`tr[data-delivery="${ping.id}"]`)
        .getByRole('button', { name: 'Redeliver' })
        .click()
      await page.assertTextContains('[role=status]', 'same id')
      await (await app.container.make(WebhookDelivery)).attempt(Number(ping.id))
      await page.reload()
      await page.assertTextContains(`tr[data-delivery="${ping.id}"]`, 'Delivered')
      assert.lengthOf(receiver.received, 2)
      assert.equal(JSON.parse(receiver.received[1].body).type, 'ping')

      await page.getByRole('navigation').getByRole('link', { name: 'E-mail notifications' }).click()
      await page.getByLabel('Backup failed').check()
      await page.getByRole('button', { name: 'Save' }).click()
      await page.assertTextContains('.flash-success', 'Saved.')
      assert.isTrue(await page.getByLabel('Backup failed').isChecked())
    } finally {
      await receiver.close()
    }
  })
})
