import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { createLicense, unique } from '#tests/support/fixtures'
import { auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'

test.group('Panel: customers', () => {
  test('create, edit and delete a customer; each change is audited', async ({ assert }) => {
    const { client, admin } = await loggedInPanel('admin')
    const since = await lastAuditId()
    const name = unique('Acme')
    await client.get('/admin/customers/new')
    const created = await client.post('/admin/customers', {
      name,
      email: `${name}@Example.com`,
      company: 'Acme GmbH',
    })
    const customer = await Customer.findByOrFail('name', name)
    assert.equal(created.location, `/admin/customers/${customer.id}`)
    assert.equal(customer.email, `${name}@example.com`.toLowerCase())

    await client.post(`/admin/customers/${customer.id}`, { name: `${name} AG`, notes: 'VIP' })
    await customer.refresh()
    assert.equal(customer.name, `${name} AG`)
    assert.isNull(customer.email)

    const license = await createLicense({ customerId: customer.id })
    await client.post(`/admin/customers/${customer.id}/delete`)
    assert.isNull(await Customer.find(customer.id))
    await license.refresh()
    assert.isNull(license.customerId, 'the license stays, without a customer')

    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((row) => row.action),
      ['customer.created', 'customer.updated', 'customer.deleted']
    )
    assert.isTrue(rows.every((row) => row.actorId === String(admin.id)))
    assert.deepInclude(rows[1].after!, { name: `${name} AG`, notes: 'VIP' })
    assert.equal(rows[2].before!.licenses, 1)
  })

  test('bad input and a taken email give field errors and write nothing', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const existing = await Customer.create({ name: 'Taken', email: `${unique('t')}@example.com` })
    const since = await lastAuditId()
    await client.get('/admin/customers/new')
    await client.post('/admin/customers', { name: '', email: 'not-an-email' })
    const form = await client.get('/admin/customers/new')
    assert.include(form.body, 'id="field-name-error"')
    assert.include(form.body, 'id="field-email-error"')
    await client.post('/admin/customers', { name: 'Copy', email: existing.email!.toUpperCase() })
    assert.include(
      (await client.get('/admin/customers/new')).body,
      'Another customer has this email'
    )
    assert.lengthOf(await auditRowsAfter(since), 0)
    assert.equal((await client.get('/admin/customers/99999999')).status, 404)
    assert.equal((await client.get('/admin/customers/abc')).status, 404)
  })

  test('search, sorting and autocomplete find customers', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const tag = unique('Zeta')
    await Customer.createMany([
      { name: `${tag} One`, company: 'Alpha' },
      { name: `${tag} Two`, email: `${tag}@example.com` },
    ])
    const list = await client.get(`/admin/customers?q=${tag}&sort=name&dir=desc`)
    assert.isBelow(list.body.indexOf(`${tag} Two`), list.body.indexOf(`${tag} One`))
    const suggest = await client.get(`/admin/customers/suggest?q=${tag}`)
    const found = JSON.parse(suggest.body)
    assert.deepEqual(
      found.map((row: { name: string }) => row.name),
      [`${tag} One`, `${tag} Two`]
    )
    assert.deepEqual(JSON.parse((await client.get('/admin/customers/suggest?q=')).body), [])
    assert.equal((await client.get(`/admin/customers?q=${'%'.repeat(300)}`)).status, 200)
  })

  test('the customer page shows their licenses and quick figures', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const customer = await Customer.create({ name: unique('Figures') })
    const license = await createLicense({ customerId: customer.id, maxDevices: 2 })
    await createLicense({ customerId: customer.id, status: 'suspended' })
    await db.table('devices').insert({ license_id: license.id, fingerprint: unique('fp') })
    const page = await client.get(`/admin/customers/${customer.id}`)
    assert.include(page.body, license.key)
    assert.match(page.body, /Licenses<\/span><span class="value">2</)
    assert.match(page.body, /Active licenses<\/span><span class="value">1</)
    assert.match(page.body, /Devices in use<\/span><span class="value">1</)
  })
})
