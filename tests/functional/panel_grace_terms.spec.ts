import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import Product from '#models/product'
import { createProductWithGrace, licenseExpiringAt, unique } from '#tests/support/fixtures'
import { auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'

/**
 * The panel's side of the grace and transfer terms: the product form sets
 * them (audited, within the columns' ranges), and a license in its expiry
 * grace shows and filters as `grace`.
 */
test.group('Panel: grace and transfer terms', () => {
  test('the product form sets the grace and transfer terms, audited', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const slug = unique('terms')
    await client.get('/admin/products/new')
    await client.post('/admin/products', { name: 'Terms', slug })
    const product = await Product.findByOrFail('slug', slug)
    assert.containsSubset(product.serialize(), {
      expiryGraceDays: 0,
      reclaimGraceSeconds: null,
      transferCooldownSeconds: 0,
      transferQuota: null,
      transferQuotaPeriodDays: 30,
    })

    const since = await lastAuditId()
    const form = await client.get(`/admin/products/${product.id}/edit`)
    assert.include(form.body, 'name="expiry_grace_days"')
    assert.include(form.body, 'the session timeout (60 s')
    await client.post(`/admin/products/${product.id}`, {
      name: 'Terms',
      expiry_grace_days: '14',
      reclaim_grace_seconds: '45',
      transfer_cooldown_hours: '1.5',
      transfer_quota: '3',
      transfer_quota_period_days: '90',
    })
    await product.refresh()
    assert.containsSubset(product.serialize(), {
      expiryGraceDays: 14,
      reclaimGraceSeconds: 45,
      transferCooldownSeconds: 5400,
      transferQuota: 3,
      transferQuotaPeriodDays: 90,
    })
    const [audit] = await auditRowsAfter(since)
    assert.equal(audit.action, 'product.updated')
    assert.containsSubset(audit.after, {
      expiry_grace_days: 14,
      reclaim_grace_seconds: 45,
      transfer_cooldown_seconds: 5400,
      transfer_quota: 3,
      transfer_quota_period_days: 90,
    })

    await client.get(`/admin/products/${product.id}/edit`)
    const refused = await client.post(`/admin/products/${product.id}`, {
      name: 'Terms',
      expiry_grace_days: '400',
      transfer_quota_period_days: '0',
    })
    assert.equal(refused.status, 302)
    const again = await client.get(`/admin/products/${product.id}/edit`)
    assert.include(again.body, 'id="field-expiry_grace_days-error"')
    assert.include(again.body, 'id="field-transfer_quota_period_days-error"')
    await product.refresh()
    assert.equal(product.expiryGraceDays, 14)
  })

  test('a license in its grace shows the grace badge, filters as grace, and its page says until when', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const product = await createProductWithGrace(3)
    const inGrace = await licenseExpiringAt(product.id, DateTime.utc().minus({ days: 1 }))
    const over = await licenseExpiringAt(product.id, DateTime.utc().minus({ days: 4 }))

    const graceList = await client.get(`/admin/licenses?product_id=${product.id}&status=grace`)
    assert.include(graceList.body, inGrace.key)
    assert.notInclude(graceList.body, over.key)
    assert.include(graceList.body, 'badge-warning">In grace<')
    const expiredList = await client.get(`/admin/licenses?product_id=${product.id}&status=expired`)
    assert.include(expiredList.body, over.key)
    assert.notInclude(expiredList.body, inGrace.key)
    // Active lists every usable license, as the dashboard counts them: grace included.
    const activeList = await client.get(`/admin/licenses?product_id=${product.id}&status=active`)
    assert.include(activeList.body, inGrace.key)
    assert.notInclude(activeList.body, over.key)

    const page = await client.get(`/admin/licenses/${inGrace.id}`)
    assert.include(page.body, '3 days after the expiry')
    assert.include(page.body, 'in grace until')
  })
})
