import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import License from '#models/license'
import { createLicense, createProduct, fingerprint, unique } from '#tests/support/fixtures'
import { auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import { SessionClient, bodyOf } from '#tests/support/sessions'

test.group('Panel: licenses', () => {
  test('a batch is created with its keys shown, one audit row, and a CSV of the batch', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const product = await createProduct()
    const customer = await Customer.create({ name: unique('Batch Customer') })
    const since = await lastAuditId()
    await client.get('/admin/licenses/new')
    const created = await client.post('/admin/licenses', {
      product_id: product.id,
      type: '6m',
      count: 7,
      max_devices: 3,
      max_sessions: 2,
      customer_id: customer.id,
      expiry_basis: 'first_activation',
      session_policy: '',
      notes: 'spring sale',
    })
    assert.equal(created.status, 200)
    const keys = [...created.body.matchAll(/<li><code>([2-9A-Z-]{19})<\/code><\/li>/g)].map(
      (match) => match[1]
    )
    assert.lengthOf(keys, 7)
    const rows = await License.query().whereIn('key', keys)
    assert.lengthOf(rows, 7)
    assert.isTrue(rows.every((row) => row.maxDevices === 3 && row.customerId === customer.id))
    const audit = await auditRowsAfter(since)
    assert.deepEqual(
      audit.map((row) => row.action),
      ['license.batch_created']
    )
    const csv = await client.get(`/admin/licenses/export.csv?batch_id=${rows[0].batchId}`)
    assert.lengthOf(csv.body.trim().split('\n'), 8)
  })

  test('bad batch input gives field errors and creates nothing', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const product = await createProduct()
    const before = await db.from('licenses').count('* as n')
    await client.get('/admin/licenses/new')
    const cases = [
      { type: 'forever', count: 1, max_devices: 1, max_sessions: 1 },
      { type: '1m', count: 0, max_devices: 1, max_sessions: 1 },
      { type: '1m', count: 1, max_devices: 11, max_sessions: 1 },
      { type: '1m', count: 1, max_devices: 1, max_sessions: 2 },
      { type: '1m', count: 1, max_devices: 1, max_sessions: 1, customer_id: 99999999 },
    ]
    for (const fields of cases) {
      const response = await client.post('/admin/licenses', {
        product_id: product.id,
        expiry_basis: 'creation',
        ...fields,
      })
      assert.match(response.location!, /\/admin\/licenses\/new$/, JSON.stringify(fields))
    }
    const form = await client.get('/admin/licenses/new')
    assert.include(form.body, 'field-invalid')
    const after = await db.from('licenses').count('* as n')
    assert.equal(after[0].n, before[0].n)
  })

  test('search, filters, sorting, pagination and CSV export honour the query', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const product = await createProduct()
    const tag = unique('note')
    const suspended = await createLicense({
      productId: product.id,
      status: 'suspended',
      notes: tag,
    })
    const formula = await createLicense({ productId: product.id, notes: `=HYPERLINK("x") ${tag}` })
    const all = await client.get(`/admin/licenses?q=${tag}`)
    assert.include(all.body, suspended.key)
    assert.include(all.body, formula.key)
    const filtered = await client.get(`/admin/licenses?q=${tag}&status=suspended`)
    assert.include(filtered.body, suspended.key)
    assert.notInclude(filtered.body, formula.key)
    const byProduct = await client.get(`/admin/licenses?product_id=${product.id}&sort=key&dir=asc`)
    const [first, second] = [suspended.key, formula.key].sort()
    assert.isBelow(byProduct.body.indexOf(first), byProduct.body.indexOf(second))
    const paged = await client.get(`/admin/licenses?product_id=${product.id}&per_page=10&page=2`)
    assert.equal(paged.status, 200)

    const csv = await client.get(`/admin/licenses/export.csv?q=${tag}&status=active`)
    const lines = csv.body.trim().split('\n')
    assert.lengthOf(lines, 2)
    assert.include(lines[1], formula.key)
    assert.include(lines[1], `"'=HYPERLINK(""x"")`)
    assert.equal(
      (await client.get('/admin/licenses?status=bogus&product_id=x&page=-1')).status,
      200
    )
  })

  test('quick edit changes status and limits, refuses broken limits; audited', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const license = await createLicense({ maxDevices: 2, maxSessions: 1 })
    const since = await lastAuditId()
    await client.get('/admin/licenses')
    await client.post(`/admin/licenses/${license.id}/quick`, {
      status: 'active',
      max_devices: 4,
      max_sessions: 3,
    })
    await license.refresh()
    assert.equal(license.maxDevices, 4)
    assert.equal(license.maxSessions, 3)
    await client.post(`/admin/licenses/${license.id}/quick`, {
      status: 'active',
      max_devices: 2,
      max_sessions: 3,
    })
    await license.refresh()
    assert.equal(license.maxDevices, 4, 'max_sessions above max_devices is refused')
    const rows = await auditRowsAfter(since)
    assert.lengthOf(rows, 1)
    assert.deepEqual(rows[0].before, { max_devices: 2, max_sessions: 1 })
    assert.deepEqual(rows[0].after, { max_devices: 4, max_sessions: 3 })
  })

  test('lowering max devices below the active devices is refused', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const license = await createLicense({ maxDevices: 3 })
    await db.table('devices').multiInsert([
      { license_id: license.id, fingerprint: unique('a') },
      { license_id: license.id, fingerprint: unique('b') },
    ])
    await client.get(`/admin/licenses/${license.id}/edit`)
    await client.post(`/admin/licenses/${license.id}`, {
      status: 'active',
      max_devices: 1,
      max_sessions: 1,
    })
    await license.refresh()
    assert.equal(license.maxDevices, 3)
    assert.include(
      (await client.get(`/admin/licenses/${license.id}/edit`)).body,
      'More devices than this are active'
    )
  })

  test('bulk suspend ends live sessions and writes one audit row per license', async ({
    client: http,
    assert,
  }) => {
    const { license: first, api } = await SessionClient.forLicense(http)
    const started = await bodyOf(api.start(fingerprint()))
    const second = await createLicense()
    const { client } = await loggedInPanel('admin')
    await client.get('/admin/licenses')
    const since = await lastAuditId()
    await client.post('/admin/licenses/bulk', { action: 'suspend', ids: [first.id, second.id] })
    await first.refresh()
    await second.refresh()
    assert.equal(first.status, 'suspended')
    assert.equal(second.status, 'suspended')
    const heartbeat = await bodyOf(api.heartbeat(started.session_token))
    assert.equal(heartbeat.error.end_reason, 'license')
    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((row) => [row.action, row.subjectId]),
      [
        ['license.status_changed', String(first.id)],
        ['license.status_changed', String(second.id)],
      ]
    )
    await client.post('/admin/licenses/bulk', { action: 'revoke', ids: [] })
    await client.post('/admin/licenses/bulk', { action: 'explode', ids: [first.id] })
    await first.refresh()
    assert.equal(first.status, 'suspended')
  })

  test('the license page shows devices, sessions and audit; rename and deactivate are audited', async ({
    client: http,
    assert,
  }) => {
    const { license, api } = await SessionClient.forLicense(http)
    const device = fingerprint()
    const started = await bodyOf(api.start(device))
    const { client } = await loggedInPanel('admin')
    const page = await client.get(`/admin/licenses/${license.id}`)
    assert.include(page.body, device)
    const row = await db.from('devices').where('license_id', license.id).firstOrFail()
    const since = await lastAuditId()
    await client.post(`/admin/licenses/${license.id}/devices/${row.id}/rename`, {
      name: 'Office PC',
    })
    await client.post(`/admin/licenses/${license.id}/devices/${row.id}/deactivate`)
    const after = await db.from('devices').where('id', row.id).firstOrFail()
    assert.equal(after.name, 'Office PC')
    assert.isFalse(after.active)
    const heartbeat = await bodyOf(api.heartbeat(started.session_token))
    assert.equal(heartbeat.error.end_reason, 'deactivated')
    assert.deepEqual(
      (await auditRowsAfter(since)).map((entry) => entry.action),
      ['device.renamed', 'device.deactivated']
    )
    const again = await client.get(`/admin/licenses/${license.id}`)
    assert.include(again.body, 'device.renamed')
    assert.equal((await client.get('/admin/licenses/99999999')).status, 404)
  })
})
