import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Customer from '#models/customer'
import { createLicense, fingerprint, unique } from '#tests/support/fixtures'
import { PanelClient, auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import { SessionClient, bodyOf } from '#tests/support/sessions'

/** The figure a customer page shows under `data-figure="name"`. */
function figure(body: string, name: string) {
  const match = body.match(new RegExp(`data-figure="${name}">(\\d+)<`))
  return match ? Number(match[1]) : null
}

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
      notes: '',
    })
    const customer = await Customer.findByOrFail('name', name)
    assert.equal(created.location, `/admin/customers/${customer.id}`)
    assert.equal(customer.email, `${name}@example.com`.toLowerCase())
    assert.isNull(customer.notes, 'an empty field is stored as null')

    await client.get(`/admin/customers/${customer.id}/edit`)
    await client.post(`/admin/customers/${customer.id}`, {
      name: `${name} AG`,
      email: '',
      company: 'Acme GmbH',
      notes: 'VIP',
    })
    await customer.refresh()
    assert.equal(customer.name, `${name} AG`)
    assert.isNull(customer.email)

    const first = await createLicense({ customerId: customer.id })
    const second = await createLicense({ customerId: customer.id })
    const confirm = await client.get(`/admin/customers/${customer.id}/delete`)
    assert.equal(confirm.status, 200)
    assert.include(confirm.body, 'Their 2 licenses stay, without a customer')
    assert.isNotNull(await Customer.find(customer.id), 'asking deletes nothing')

    const deleted = await client.post(`/admin/customers/${customer.id}/delete`)
    assert.equal(deleted.location, '/admin/customers')
    assert.include((await client.get('/admin/customers')).body, '2 licenses are now without')
    assert.isNull(await Customer.find(customer.id))
    await first.refresh()
    await second.refresh()
    assert.isNull(first.customerId, 'the license stays, without a customer')
    assert.equal(first.status, 'active')
    assert.isNull(second.customerId)

    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((row) => [row.action, row.subjectType, row.subjectId]),
      [
        ['customer.created', 'customer', String(customer.id)],
        ['customer.updated', 'customer', String(customer.id)],
        ['customer.deleted', 'customer', String(customer.id)],
      ]
    )
    assert.isTrue(rows.every((row) => row.actorId === String(admin.id)))
    assert.deepInclude(rows[1].before!, { name, email: `${name}@example.com`.toLowerCase() })
    assert.deepInclude(rows[1].after!, { name: `${name} AG`, email: null, notes: 'VIP' })
    assert.equal(rows[2].before!.licenses, 2)
    assert.deepEqual(rows[2].before!.license_ids, [first.id, second.id])
  })

  test('bad input and a taken email give field errors and write nothing', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const taken = `${unique('t')}@example.com`
    const existing = await Customer.create({ name: unique('Taken'), email: taken })
    const other = await Customer.create({ name: unique('Other') })
    const since = await lastAuditId()
    const countBefore = await db.from('customers').count('* as n')

    await client.get('/admin/customers/new')
    const refused = await client.post('/admin/customers', { name: '', email: 'not-an-email' })
    assert.equal(refused.status, 302)
    const form = await client.get('/admin/customers/new')
    assert.include(form.body, 'id="field-name-error"')
    assert.include(form.body, 'id="field-email-error"')
    assert.include(form.body, 'value="not-an-email"', 'the input is kept')

    await client.post('/admin/customers', { name: 'x'.repeat(201) })
    assert.include((await client.get('/admin/customers/new')).body, 'id="field-name-error"')

    await client.post('/admin/customers', { name: 'Copy', email: taken.toUpperCase() })
    assert.include(
      (await client.get('/admin/customers/new')).body,
      'Another customer has this email'
    )

    await client.get(`/admin/customers/${other.id}/edit`)
    const update = await client.post(`/admin/customers/${other.id}`, {
      name: other.name,
      email: existing.email!,
    })
    assert.equal(update.location, `/admin/customers/${other.id}/edit`)
    const editForm = await client.get(`/admin/customers/${other.id}/edit`)
    assert.match(editForm.body, /id="field-email-error">Another customer has this email/)
    await other.refresh()
    assert.isNull(other.email)

    assert.lengthOf(await auditRowsAfter(since), 0)
    const countAfter = await db.from('customers').count('* as n')
    assert.equal(countAfter[0].n, countBefore[0].n)
    for (const path of [
      '/admin/customers/99999999',
      '/admin/customers/abc',
      '/admin/customers/99999999999999999999',
      '/admin/customers/99999999/delete',
    ]) {
      assert.equal((await client.get(path)).status, 404, path)
    }
    assert.equal((await client.post('/admin/customers/99999999/delete')).status, 404)
    assert.equal((await client.post('/admin/customers/12345678901/delete')).status, 404)
  })

  test('search, filter, sorting and pagination of the list', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const tag = unique('Zeta')
    const [one, two] = await Customer.createMany([
      { name: `${tag} One`, company: 'Alpha' },
      { name: `${tag} Two`, email: `${tag}@example.com` },
      { name: `${tag} Three`, company: `${tag}-corp` },
    ])
    await createLicense({ customerId: two.id })

    const desc = await client.get(`/admin/customers?q=${tag}&sort=name&dir=desc`)
    assert.isBelow(desc.body.indexOf(`${tag} Two`), desc.body.indexOf(`${tag} One`))
    const byEmail = await client.get(`/admin/customers?q=${tag}@example`)
    assert.include(byEmail.body, `${tag} Two`)
    assert.notInclude(byEmail.body, `${tag} One`)
    const byCompany = await client.get(`/admin/customers?q=${tag}-corp`)
    assert.include(byCompany.body, `${tag} Three`)
    assert.notInclude(byCompany.body, `${tag} Two`)

    const withLicenses = await client.get(`/admin/customers?q=${tag}&licenses=with`)
    assert.include(withLicenses.body, `${tag} Two`)
    assert.notInclude(withLicenses.body, `${tag} One`)
    const without = await client.get(`/admin/customers?q=${tag}&licenses=without`)
    assert.notInclude(without.body, `${tag} Two`)
    assert.include(without.body, `${tag} One`)

    const byLicenses = await client.get(`/admin/customers?q=${tag}&sort=licenses&dir=desc`)
    assert.isBelow(byLicenses.body.indexOf(`${tag} Two`), byLicenses.body.indexOf(`${tag} One`))

    const pageTwo = await client.get(`/admin/customers?q=${tag}&sort=name&dir=asc&per_page=10`)
    assert.include(pageTwo.body, '3 entries')
    assert.include(
      (await client.get(`/admin/customers/${one.id}`)).body,
      `/admin/licenses/new?customer_id=${one.id}`
    )

    for (const query of [
      `q=${'%'.repeat(300)}`,
      'sort=password&dir=sideways',
      'page=-3&per_page=abc',
      'licenses=maybe',
      'page=999999',
    ]) {
      assert.equal((await client.get(`/admin/customers?${query}`)).status, 200, query)
    }
  })

  test('the suggest endpoint finds customers by name, email, company or id', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const tag = unique('Sugg')
    const rows = await Customer.createMany(
      Array.from({ length: 12 }, (_, index) => ({
        name: `${tag} ${String(index).padStart(2, '0')}`,
        email: index === 0 ? `${tag}-mail@example.com` : null,
        company: index === 1 ? `${tag} Holding` : null,
      }))
    )

    const response = await client.get(`/admin/customers/suggest?q=${tag}`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type')!, /application\/json/)
    const found = JSON.parse(response.body)
    assert.lengthOf(found, 10, 'at most ten suggestions')
    assert.deepEqual(Object.keys(found[0]).sort(), ['email', 'id', 'name'])
    assert.deepEqual(found[0], { id: rows[0].id, name: rows[0].name, email: rows[0].email })

    const byEmail = JSON.parse((await client.get(`/admin/customers/suggest?q=${tag}-mail`)).body)
    assert.deepEqual(
      byEmail.map((row: { id: number }) => row.id),
      [rows[0].id]
    )
    const byCompany = JSON.parse(
      (await client.get(`/admin/customers/suggest?q=${encodeURIComponent(`${tag} Hold`)}`)).body
    )
    assert.deepEqual(
      byCompany.map((row: { id: number }) => row.id),
      [rows[1].id]
    )
    const byId = JSON.parse((await client.get(`/admin/customers/suggest?q=${rows[5].id}`)).body)
    assert.include(
      byId.map((row: { id: number }) => row.id),
      rows[5].id
    )
    assert.deepEqual(JSON.parse((await client.get('/admin/customers/suggest?q=')).body), [])
    assert.deepEqual(JSON.parse((await client.get('/admin/customers/suggest')).body), [])
    const wild = await client.get(`/admin/customers/suggest?q=${encodeURIComponent('%_\\')}`)
    assert.equal(wild.status, 200)

    const stranger = new PanelClient()
    const refused = await stranger.get(`/admin/customers/suggest?q=${tag}`)
    assert.equal(refused.status, 302, 'behind the panel login')
    assert.match(refused.location!, /^\/admin\/login/)
  })

  test('the customer page shows their licenses and quick figures', async ({
    client: http,
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const customer = await Customer.create({ name: unique('Figures') })
    const { license: online, api } = await SessionClient.forLicense(http, {
      customerId: customer.id,
      maxDevices: 2,
      maxSessions: 2,
    })
    await bodyOf(api.start(fingerprint()))
    const withDevice = await createLicense({ customerId: customer.id, maxDevices: 2 })
    await db.table('devices').insert({ license_id: withDevice.id, fingerprint: unique('fp') })
    await createLicense({ customerId: customer.id, status: 'suspended' })
    await createLicense({ customerId: customer.id, status: 'revoked' })
    const expired = await createLicense({
      customerId: customer.id,
      expiryBasis: 'creation',
      expiresAt: DateTime.utc().minus({ days: 1 }),
    })
    await createLicense({ notes: 'someone else' })

    const page = await client.get(`/admin/customers/${customer.id}`)
    assert.equal(page.status, 200)
    assert.include(page.body, online.key)
    assert.include(page.body, expired.key)
    assert.equal(figure(page.body, 'licenses'), 5)
    assert.equal(figure(page.body, 'active'), 2)
    assert.equal(figure(page.body, 'active-licenses'), 2)
    assert.equal(figure(page.body, 'expired'), 1)
    assert.equal(figure(page.body, 'suspended'), 1)
    assert.equal(figure(page.body, 'revoked'), 1)
    assert.equal(figure(page.body, 'devices'), 2)
    assert.equal(figure(page.body, 'online'), 1)

    const sorted = await client.get(
      `/admin/customers/${customer.id}?sort=status&dir=asc&per_page=10`
    )
    assert.include(sorted.body, '5 entries')
    assert.isBelow(sorted.body.indexOf(online.key), sorted.body.indexOf(expired.key))
    const paged = await client.get(`/admin/customers/${customer.id}?per_page=10&page=7`)
    assert.equal(paged.status, 200)
  })
})
