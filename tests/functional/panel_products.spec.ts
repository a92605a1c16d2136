import { test } from '@japa/runner'
import Product from '#models/product'
import { createLicense, unique } from '#tests/support/fixtures'
import { PanelClient, auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'

test.group('Panel: products', () => {
  test('create a product, change its offline grace, back to default and off; audited; the slug stays', async ({
    assert,
  }) => {
    const { client, admin } = await loggedInPanel('admin')
    const since = await lastAuditId()
    const slug = unique('tool')
    await client.get('/admin/products/new')
    const created = await client.post('/admin/products', {
      name: 'Trading Tool',
      slug: slug.toUpperCase(),
      description: '',
      offline_grace_days: '14',
    })
    assert.equal(created.location, '/admin/products')
    const product = await Product.findByOrFail('slug', slug)
    assert.equal(product.offlineGraceSeconds, 14 * 86400)
    assert.isNull(product.description)

    await createLicense({ productId: product.id })
    const list = await client.get(`/admin/products?q=${slug}`)
    assert.include(list.body, 'Trading Tool')
    assert.include(list.body, '14 days')
    assert.match(list.body, /<td class="numeric">1<\/td>/)

    const form = await client.get(`/admin/products/${product.id}/edit`)
    assert.include(form.body, `<code>${slug}</code>`)
    assert.notInclude(form.body, 'name="slug"')
    await client.post(`/admin/products/${product.id}`, {
      name: 'Trading Tool Pro',
      slug: 'renamed',
      offline_grace_days: '0.5',
    })
    await product.refresh()
    assert.equal(product.slug, slug, 'the slug never changes')
    assert.equal(product.offlineGraceSeconds, 43200)
    assert.include((await client.get(`/admin/products?q=${slug}`)).body, '12 hours')

    await client.get(`/admin/products/${product.id}/edit`)
    await client.post(`/admin/products/${product.id}`, {
      name: 'Trading Tool Pro',
      offline_grace_days: '',
    })
    await product.refresh()
    assert.isNull(product.offlineGraceSeconds)
    assert.include((await client.get(`/admin/products?q=${slug}`)).body, 'default (7 days)')

    await client.get(`/admin/products/${product.id}/edit`)
    await client.post(`/admin/products/${product.id}`, {
      name: 'Trading Tool Pro',
      offline_grace_days: '0',
    })
    await product.refresh()
    assert.equal(product.offlineGraceSeconds, 0)
    assert.include((await client.get(`/admin/products?q=${slug}`)).body, '>off<')

    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((row) => row.action),
      ['product.created', 'product.updated', 'product.updated', 'product.updated']
    )
    assert.isTrue(rows.every((row) => row.actorId === String(admin.id)))
    assert.deepInclude(rows[1].before!, { name: 'Trading Tool', offline_grace_seconds: 1209600 })
    assert.deepInclude(rows[1].after!, { name: 'Trading Tool Pro', offline_grace_seconds: 43200 })
  })

  test('bad input and a taken slug give field errors and write nothing', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const taken = await Product.create({ name: 'Taken', slug: unique('taken') })
    const count = async () => Number((await Product.query().count('* as total'))[0].$extras.total)
    const before = await count()

    for (const body of [
      { name: 'X', slug: 'Not a slug!', offline_grace_days: '' },
      { name: 'X', slug: unique('ok'), offline_grace_days: '366' },
      { name: 'X', slug: unique('ok'), offline_grace_days: '-1' },
      { name: '', slug: unique('ok') },
    ]) {
      await client.get('/admin/products/new')
      const refused = await client.post('/admin/products', body)
      assert.match(refused.location!, /\/admin\/products\/new$/)
    }
    await client.get('/admin/products/new')
    const duplicate = await client.post('/admin/products', { name: 'Again', slug: taken.slug })
    assert.match(duplicate.location!, /\/admin\/products\/new$/)
    assert.match(
      (await client.get('/admin/products/new')).body,
      /id="field-slug-error">Another product has this slug/
    )
    assert.equal(await count(), before)
  })

  test('the pages need a login', async ({ assert }) => {
    const anonymous = new PanelClient()
    for (const path of ['/admin/products', '/admin/products/new', '/admin/products/1/edit']) {
      const response = await anonymous.get(path)
      assert.equal(response.status, 302)
      assert.equal(response.location, '/admin/login')
    }
  })
})
