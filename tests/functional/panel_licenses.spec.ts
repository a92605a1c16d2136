import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Customer from '#models/customer'
import License from '#models/license'
import { licenseConstraintRefusal } from '#services/license_admin_service'
import { createLicense, createProduct, fingerprint, unique } from '#tests/support/fixtures'
import { auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import { SessionClient, bodyOf } from '#tests/support/sessions'

const KEY_ITEM = /<li><code>([2-9A-Z-]{19})<\/code><\/li>/g

async function licenseCount() {
  const [{ n }] = await db.from('licenses').count('* as n')
  return Number(n)
}

/** The keys in a response body, in order. */
function keysIn(body: string) {
  return [...body.matchAll(KEY_ITEM)].map((match) => match[1])
}

/** The rows of a CSV body (no quoted newlines in these tests). */
function csvLines(body: string) {
  return body.trim().split('\n')
}

test.group('Panel: licenses', () => {
  test('a single license is created and its page opens; audited', async ({ assert }) => {
    const { client, admin } = await loggedInPanel('admin')
    const product = await createProduct()
    const customer = await Customer.create({ name: unique('Single') })
    const since = await lastAuditId()
    await client.get(`/admin/licenses/new?customer_id=${customer.id}`)
    const created = await client.post('/admin/licenses', {
      product_id: product.id,
      type: '90d',
      count: 1,
      max_devices: 2,
      max_sessions: 1,
      customer_id: customer.id,
      expiry_basis: 'creation',
      session_policy: '',
      notes: 'single one',
    })
    const license = await License.query().where('product_id', product.id).firstOrFail()
    assert.equal(created.location, `/admin/licenses/${license.id}`)
    assert.equal(license.type, '90d')
    assert.equal(license.expiryBasis, 'creation')
    assert.isNotNull(license.expiresAt)
    assert.equal(license.customerId, customer.id)
    assert.isNull(license.sessionPolicy)
    assert.equal(license.notes, 'single one')

    const page = await client.get(created.location!)
    assert.include(page.body, `The license ${license.key} was created.`)
    assert.include(page.body, customer.name)
    assert.include(page.body, 'license.batch_created', 'the creation is in its audit trail')

    const audit = await auditRowsAfter(since)
    assert.lengthOf(audit, 1)
    assert.equal(audit[0].action, 'license.batch_created')
    assert.equal(audit[0].actorId, String(admin.id))
    assert.equal(audit[0].subjectId, license.batchId)
    assert.deepInclude(audit[0].after!, { count: 1, type: '90d', max_devices: 2 })
  })

  test('a batch shows its keys once, with one audit row and a CSV of the batch', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const product = await createProduct()
    const customer = await Customer.create({ name: unique('Batch Customer') })
    const since = await lastAuditId()
    const form = await client.get('/admin/licenses/new')
    const token = form.body.match(/name="batch_token" value="([0-9a-f-]{36})"/)![1]
    const fields = {
      product_id: product.id,
      type: '6m',
      count: 7,
      max_devices: 3,
      max_sessions: 2,
      customer_id: customer.id,
      expiry_basis: 'first_activation',
      session_policy: '',
      notes: 'spring sale',
      batch_token: token,
    }
    const created = await client.post('/admin/licenses', fields)
    assert.equal(created.status, 200)
    assert.include(created.body, '7 licenses were created')
    const keys = keysIn(created.body)
    assert.lengthOf(keys, 7)
    assert.lengthOf(new Set(keys), 7, 'each key once')
    const batchId = token
    assert.include(created.body, `/admin/licenses/export.csv?batch_id=${batchId}`)

    const rows = await License.query().where('batch_id', batchId).orderBy('id')
    assert.deepEqual(
      rows.map((row) => row.key),
      keys
    )
    assert.isTrue(
      rows.every(
        (row) =>
          row.maxDevices === 3 &&
          row.maxSessions === 2 &&
          row.customerId === customer.id &&
          row.type === '6m' &&
          row.expiryBasis === 'first_activation' &&
          row.expiresAt === null &&
          row.notes === 'spring sale'
      )
    )

    // The same form again (a reload of the result page) issues nothing.
    const again = await client.post('/admin/licenses', fields)
    assert.equal(again.status, 302)
    assert.equal(again.location, `/admin/licenses?batch_id=${batchId}`)
    const list = await client.get(again.location!)
    assert.include(list.body, 'This form was sent already')
    assert.include(list.body, '7 entries')
    assert.notMatch(list.body, KEY_ITEM, 'the keys page is not shown again')
    assert.lengthOf(await License.query().where('batch_id', batchId), 7)

    const audit = await auditRowsAfter(since)
    assert.deepEqual(
      audit.map((row) => [row.action, row.subjectType, row.subjectId]),
      [['license.batch_created', 'license_batch', batchId]]
    )
    assert.deepInclude(audit[0].after!, { count: 7, product_id: product.id })

    const csv = await client.get(`/admin/licenses/export.csv?batch_id=${batchId}`)
    assert.equal(csv.status, 200)
    assert.match(csv.headers.get('content-type')!, /text\/csv/)
    assert.include(csv.headers.get('content-disposition')!, `licenses-batch-${batchId}.csv`)
    const lines = csvLines(csv.body)
    assert.lengthOf(lines, 8)
    assert.isTrue(lines[0].startsWith('key,product,customer_id,customer'))
    assert.sameMembers(
      lines.slice(1).map((line) => line.split(',')[0]),
      keys
    )

    // Without a token (an older form), a batch is still issued once per POST.
    await client.get('/admin/licenses/new')
    const plain = await client.post('/admin/licenses', {
      ...fields,
      batch_token: undefined,
      count: 2,
    })
    assert.equal(plain.status, 200)
    assert.lengthOf(keysIn(plain.body), 2)
  })

  test('bad batch input gives field errors and creates nothing', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const product = await createProduct()
    const before = await licenseCount()
    const since = await lastAuditId()
    const valid = {
      product_id: product.id,
      type: '1m',
      count: 1,
      max_devices: 1,
      max_sessions: 1,
      expiry_basis: 'creation',
    }
    const cases: [Record<string, string | number>, string][] = [
      [{ type: 'forever' }, 'type'],
      [{ type: '0d' }, 'type'],
      [{ count: 0 }, 'count'],
      [{ count: 10_001 }, 'count'],
      [{ count: 'many' }, 'count'],
      [{ max_devices: 11 }, 'max_devices'],
      [{ max_devices: 0, max_sessions: 0 }, 'max_devices'],
      [{ max_sessions: 2 }, 'max_sessions'],
      [{ customer_id: 99999999 }, 'customer_id'],
      [{ customer_id: 'abc' }, 'customer_id'],
      [{ customer_id: -4 }, 'customer_id'],
      [{ product_id: 99999999 }, 'product_id'],
      [{ product_id: 'x' }, 'product_id'],
      [{ expiry_basis: 'whenever' }, 'expiry_basis'],
      [{ session_policy: 'no-such-policy' }, 'session_policy'],
    ]
    for (const [fields, field] of cases) {
      await client.get('/admin/licenses/new')
      const response = await client.post('/admin/licenses', { ...valid, ...fields })
      assert.equal(response.status, 302, JSON.stringify(fields))
      assert.match(response.location!, /\/admin\/licenses\/new$/, JSON.stringify(fields))
      const form = await client.get('/admin/licenses/new')
      assert.include(form.body, `id="field-${field}-error"`, JSON.stringify(fields))
    }
    assert.equal(await licenseCount(), before)
    assert.lengthOf(await auditRowsAfter(since), 0)
  })

  test('search, filters, sorting and pagination of the list', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const product = await createProduct()
    const other = await createProduct()
    const tag = unique('note')
    const customer = await Customer.create({
      name: unique('Listed'),
      email: `${unique('listed')}@example.com`,
    })
    const suspended = await createLicense({
      productId: product.id,
      status: 'suspended',
      notes: tag,
    })
    const expiring = await createLicense({
      productId: product.id,
      type: '1m',
      expiryBasis: 'creation',
      expiresAt: DateTime.utc().plus({ days: 3 }),
      notes: tag,
      customerId: customer.id,
    })
    const expired = await createLicense({
      productId: product.id,
      expiryBasis: 'creation',
      expiresAt: DateTime.utc().minus({ days: 3 }),
      notes: tag,
    })
    const perpetual = await createLicense({ productId: other.id, type: 'perpetual', notes: tag })

    const all = await client.get(`/admin/licenses?q=${tag}`)
    for (const license of [suspended, expiring, expired, perpetual]) {
      assert.include(all.body, license.key)
    }
    assert.include(all.body, '4 entries')

    const only = async (query: string, expected: License[]) => {
      const page = await client.get(`/admin/licenses?q=${tag}&${query}`)
      assert.equal(page.status, 200, query)
      for (const license of [suspended, expiring, expired, perpetual]) {
        if (expected.includes(license)) assert.include(page.body, license.key, query)
        else assert.notInclude(page.body, license.key, query)
      }
    }
    await only('status=suspended', [suspended])
    await only('status=expired', [expired])
    await only('status=active', [expiring, perpetual])
    await only('type=perpetual', [perpetual])
    await only(`product_id=${other.id}`, [perpetual])
    await only(`customer_id=${customer.id}`, [expiring])
    await only('expiring_within=7', [expiring])
    await only('expiring_within=1', [])
    await only(`batch_id=${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, [])
    const byCustomer = await client.get(`/admin/licenses?q=${encodeURIComponent(customer.email!)}`)
    assert.include(byCustomer.body, expiring.key)
    assert.notInclude(byCustomer.body, suspended.key)

    const byKey = await client.get(`/admin/licenses?q=${suspended.key.slice(0, 14)}`)
    assert.include(byKey.body, suspended.key)

    const sorted = await client.get(`/admin/licenses?q=${tag}&sort=key&dir=asc`)
    const keys = [suspended, expiring, expired, perpetual].map((license) => license.key).sort()
    const positions = keys.map((key) => sorted.body.indexOf(key))
    assert.deepEqual(
      positions,
      [...positions].sort((a, b) => a - b)
    )
    const byStatus = await client.get(`/admin/licenses?q=${tag}&sort=status&dir=desc`)
    assert.isBelow(byStatus.body.indexOf(suspended.key), byStatus.body.indexOf(expired.key))

    const pageTag = unique('page')
    for (let index = 0; index < 12; index++) {
      await createLicense({ productId: product.id, notes: pageTag })
    }
    const first = await client.get(`/admin/licenses?q=${pageTag}&per_page=10`)
    const second = await client.get(`/admin/licenses?q=${pageTag}&per_page=10&page=2`)
    assert.include(first.body, 'page 1 of 2')
    assert.include(second.body, 'page 2 of 2')
    assert.equal(second.body.match(/name="ids\[\]"/g)!.length, 2)

    for (const query of [
      'status=bogus',
      'product_id=x',
      'customer_id=99999999999999',
      'page=-1',
      'sort=password',
      'batch_id=------------------------------------',
      'expiring_within=abc',
      'type=%27%3B',
      `q=${'%'.repeat(300)}`,
    ]) {
      assert.equal((await client.get(`/admin/licenses?${query}`)).status, 200, query)
      assert.equal((await client.get(`/admin/licenses/export.csv?${query}`)).status, 200, query)
    }
  })

  test('the CSV export honours the filters and escapes formulas', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const product = await createProduct()
    const tag = unique('csv')
    const suspended = await createLicense({
      productId: product.id,
      status: 'suspended',
      notes: tag,
    })
    const formula = await createLicense({ productId: product.id, notes: `=HYPERLINK("x") ${tag}` })
    const customer = await Customer.create({ name: `@SUM(A1) ${unique('evil')}` })
    const withCustomer = await createLicense({
      productId: product.id,
      notes: `+1 ${tag}`,
      customerId: customer.id,
    })

    const list = await client.get(`/admin/licenses?q=${tag}&status=active&sort=key`)
    const exportLink = list.body.match(/href="(\/admin\/licenses\/export\.csv\?[^"]+)"/)![1]
    assert.include(exportLink, 'status=active')
    const csv = await client.get(exportLink.replaceAll('&amp;', '&'))
    const lines = csvLines(csv.body)
    assert.lengthOf(lines, 3, 'header and the two active licenses')
    const text = csv.body
    assert.notInclude(text, suspended.key)
    assert.include(text, formula.key)
    assert.include(text, withCustomer.key)
    assert.include(text, `"'=HYPERLINK(""x"")`)
    assert.include(text, `'+1 ${tag}`)
    assert.include(text, `'@SUM(A1)`)
    assert.notMatch(text, /,=HYPERLINK|,"=HYPERLINK|,\+1 |,@SUM/)
  })

  test('quick edit changes status and limits, refuses broken limits; audited', async ({
    client: http,
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const license = await createLicense({ maxDevices: 2, maxSessions: 1 })
    const since = await lastAuditId()
    await client.get('/admin/licenses')
    const saved = await client.post(`/admin/licenses/${license.id}/quick`, {
      status: 'active',
      max_devices: 4,
      max_sessions: 3,
    })
    assert.equal(saved.status, 302)
    await license.refresh()
    assert.equal(license.maxDevices, 4)
    assert.equal(license.maxSessions, 3)
    assert.include((await client.get('/admin/licenses')).body, `${license.key} was saved.`)

    for (const fields of [
      { status: 'active', max_devices: 2, max_sessions: 3 },
      { status: 'active', max_devices: 11, max_sessions: 1 },
      { status: 'expired', max_devices: 4, max_sessions: 3 },
      { status: 'active', max_devices: 'two', max_sessions: 1 },
      { status: 'active' },
    ]) {
      const response = await client.post(`/admin/licenses/${license.id}/quick`, fields)
      assert.equal(response.status, 302, JSON.stringify(fields))
      const page = await client.get('/admin/licenses')
      assert.include(page.body, `${license.key} was not changed.`, JSON.stringify(fields))
    }
    await client.post(`/admin/licenses/${license.id}/quick`, {
      status: 'active',
      max_devices: 2,
      max_sessions: 3,
    })
    assert.include(
      (await client.get('/admin/licenses')).body,
      'Concurrent sessions cannot exceed max devices.'
    )
    await license.refresh()
    assert.equal(license.maxDevices, 4, 'nothing refused was written')
    assert.equal(license.maxSessions, 3)

    // The row's form returns to the list it came from, and only to the panel.
    const unchanged = { status: 'active', max_devices: 4, max_sessions: 3 }
    for (const [back, location] of [
      ['/admin/licenses?q=abc&sort=key&page=2', '/admin/licenses?q=abc&sort=key&page=2'],
      ['https://evil.example/admin/licenses', '/admin/licenses'],
      ['//evil.example/admin', '/admin/licenses'],
      ['/admin/licenses\\@evil', '/admin/licenses'],
    ]) {
      const response = await client.post(`/admin/licenses/${license.id}/quick`, {
        ...unchanged,
        back,
      })
      assert.equal(response.location, location, back)
    }
    const rows = await auditRowsAfter(since)
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].action, 'license.updated')
    assert.deepEqual(rows[0].before, { max_devices: 2, max_sessions: 1 })
    assert.deepEqual(rows[0].after, { max_devices: 4, max_sessions: 3 })

    // Suspending from the list ends the live session, like setStatus does.
    const { license: live, api } = await SessionClient.forLicense(http)
    const started = await bodyOf(api.start(fingerprint()))
    const beforeSuspend = await lastAuditId()
    await client.get('/admin/licenses')
    await client.post(`/admin/licenses/${live.id}/quick`, {
      status: 'suspended',
      max_devices: 1,
      max_sessions: 1,
    })
    await live.refresh()
    assert.equal(live.status, 'suspended')
    const heartbeat = await bodyOf(api.heartbeat(started.session_token))
    assert.equal(heartbeat.error.end_reason, 'license')
    const suspendRows = await auditRowsAfter(beforeSuspend)
    assert.lengthOf(suspendRows, 1)
    assert.deepEqual(suspendRows[0].after, { status: 'suspended', sessions_ended: 1 })

    assert.equal(
      (await client.post('/admin/licenses/99999999/quick', { status: 'active' })).status,
      404
    )
  })

  test('the edit form changes a license and refuses what breaks its rules', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const customer = await Customer.create({ name: unique('Edited') })
    const license = await createLicense({ maxDevices: 3, maxSessions: 1, notes: 'old' })
    await db.table('devices').multiInsert([
      { license_id: license.id, fingerprint: unique('a') },
      { license_id: license.id, fingerprint: unique('b') },
    ])
    const since = await lastAuditId()
    const valid = { status: 'active', max_devices: 3, max_sessions: 1, notes: 'old' }
    const cases: [Record<string, string | number>, string, string | null][] = [
      [{ max_devices: 1 }, 'max_devices', 'More devices than this are active'],
      [{ max_sessions: 4 }, 'max_sessions', 'Concurrent sessions cannot exceed max devices.'],
      [{ max_devices: 11 }, 'max_devices', null],
      [{ customer_id: 99999999 }, 'customer_id', 'There is no customer with this id.'],
      [{ customer_id: 'abc' }, 'customer_id', null],
      [{ session_policy: 'no-such-policy' }, 'session_policy', 'No enabled plugin provides'],
      [{ session_policy: 'Bad Name!' }, 'session_policy', null],
      [{ status: 'expired' }, 'status', null],
      [{ notes: 'x'.repeat(2001) }, 'notes', null],
    ]
    for (const [fields, field, message] of cases) {
      await client.get(`/admin/licenses/${license.id}/edit`)
      const response = await client.post(`/admin/licenses/${license.id}`, { ...valid, ...fields })
      assert.isTrue(
        response.location!.endsWith(`/admin/licenses/${license.id}/edit`),
        JSON.stringify(fields)
      )
      const form = await client.get(`/admin/licenses/${license.id}/edit`)
      assert.include(form.body, `id="field-${field}-error"`, JSON.stringify(fields))
      if (message) assert.include(form.body, message)
    }
    await license.refresh()
    assert.equal(license.maxDevices, 3)
    assert.equal(license.notes, 'old')
    assert.lengthOf(await auditRowsAfter(since), 0, 'nothing refused is audited')

    await client.get(`/admin/licenses/${license.id}/edit`)
    const saved = await client.post(`/admin/licenses/${license.id}`, {
      status: 'active',
      max_devices: 2,
      max_sessions: 2,
      customer_id: customer.id,
      session_policy: '',
      notes: 'new',
    })
    assert.equal(saved.location, `/admin/licenses/${license.id}`)
    await license.refresh()
    assert.equal(license.maxDevices, 2)
    assert.equal(license.customerId, customer.id)
    assert.equal(license.notes, 'new')
    const rows = await auditRowsAfter(since)
    assert.lengthOf(rows, 1)
    assert.deepEqual(rows[0].before, {
      max_devices: 3,
      max_sessions: 1,
      customer_id: null,
      notes: 'old',
    })
    assert.deepEqual(rows[0].after, {
      max_devices: 2,
      max_sessions: 2,
      customer_id: customer.id,
      notes: 'new',
    })
    const edit = await client.get(`/admin/licenses/${license.id}/edit`)
    assert.include(edit.body, customer.name, 'the chosen customer is named on the form')
  })

  test('database constraint violations are field errors', async ({ assert }) => {
    const license = await createLicense({ maxDevices: 2, maxSessions: 1 })
    const violation = async (changes: Record<string, unknown>) => {
      try {
        await db.from('licenses').where('id', license.id).update(changes)
      } catch (error) {
        const rule = licenseConstraintRefusal(error)
        return rule ? [rule.field, rule.code] : ['unmapped', String(error)]
      }
      return ['none', 'none']
    }
    assert.deepEqual(await violation({ max_sessions: 3 }), ['max_sessions', 'above_max_devices'])
    assert.deepEqual(await violation({ max_devices: 11 }), ['max_devices', 'out_of_range'])
    assert.deepEqual(await violation({ customer_id: 999999999 }), [
      'customer_id',
      'unknown_customer',
    ])
    assert.deepEqual(await violation({ product_id: 999999999 }), ['product_id', 'unknown_product'])
    assert.deepEqual(await violation({ type: 'forever' }), ['type', 'invalid_type'])
    assert.deepEqual(await violation({ status: 'paused' }), ['status', 'invalid_status'])
  })

  test('bulk suspend ends live sessions and writes one audit row per license', async ({
    client: http,
    assert,
  }) => {
    const { license: first, api } = await SessionClient.forLicense(http)
    const started = await bodyOf(api.start(fingerprint()))
    const second = await createLicense()
    const third = await createLicense({ status: 'suspended' })
    const { client, admin } = await loggedInPanel('admin')
    await client.get('/admin/licenses')
    const since = await lastAuditId()
    const suspended = await client.post('/admin/licenses/bulk', {
      'action': 'suspend',
      'ids[]': [first.id, second.id, third.id, 99999999],
    })
    assert.equal(suspended.status, 302)
    await first.refresh()
    await second.refresh()
    assert.equal(first.status, 'suspended')
    assert.equal(second.status, 'suspended')
    const heartbeat = await bodyOf(api.heartbeat(started.session_token))
    assert.equal(heartbeat.error.end_reason, 'license')
    const history = await db.from('session_history').where('license_id', first.id).firstOrFail()
    assert.equal(history.end_reason, 'license')

    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((row) => [row.action, row.subjectId, row.actorId]),
      [
        ['license.status_changed', String(first.id), String(admin.id)],
        ['license.status_changed', String(second.id), String(admin.id)],
      ],
      'the one already suspended and the unknown id write nothing'
    )
    assert.deepEqual(rows[0].after, { status: 'suspended', sessions_ended: 1 })
    assert.include(
      (await client.get('/admin/licenses')).body,
      '2 licenses changed (of 3 checked); 1 session ended.'
    )

    const beforeReactivate = await lastAuditId()
    await client.post('/admin/licenses/bulk', {
      'action': 'reactivate',
      'ids[]': [first.id, second.id],
    })
    await first.refresh()
    assert.equal(first.status, 'active')
    assert.lengthOf(await auditRowsAfter(beforeReactivate), 2)

    const beforeRevoke = await lastAuditId()
    await client.post('/admin/licenses/bulk', { 'action': 'revoke', 'ids[]': [second.id] })
    await second.refresh()
    assert.equal(second.status, 'revoked')
    assert.lengthOf(await auditRowsAfter(beforeRevoke), 1)

    const beforeBad = await lastAuditId()
    await client.get('/admin/licenses')
    await client.post('/admin/licenses/bulk', { action: 'revoke' })
    assert.include(
      (await client.get('/admin/licenses')).body,
      'Check the licenses to change first.'
    )
    for (const fields of [
      { 'action': 'explode', 'ids[]': [first.id] },
      { 'action': 'revoke', 'ids[]': ['abc'] },
      { 'action': 'revoke', 'ids[]': [-1] },
    ]) {
      const response = await client.post('/admin/licenses/bulk', fields)
      assert.equal(response.status, 302, JSON.stringify(fields))
      assert.include(
        (await client.get('/admin/licenses')).body,
        'That bulk action is not possible.'
      )
    }
    await first.refresh()
    assert.equal(first.status, 'active')
    assert.lengthOf(await auditRowsAfter(beforeBad), 0)
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
    assert.equal(page.status, 200)
    assert.include(page.body, device)
    assert.notInclude(page.body, 'Nobody is online', 'the live session is listed')
    const row = await db.from('devices').where('license_id', license.id).firstOrFail()
    const since = await lastAuditId()
    await client.post(`/admin/licenses/${license.id}/devices/${row.id}/rename`, {
      name: 'Office PC',
    })
    await client.post(`/admin/licenses/${license.id}/devices/${row.id}/rename`, {
      name: 'Office PC',
    })
    const tooLong = await client.post(`/admin/licenses/${license.id}/devices/${row.id}/rename`, {
      name: 'x'.repeat(121),
    })
    assert.equal(tooLong.location, `/admin/licenses/${license.id}`)
    await client.get(`/admin/licenses/${license.id}`)
    await client.post(`/admin/licenses/${license.id}/devices/${row.id}/deactivate`)
    const after = await db.from('devices').where('id', row.id).firstOrFail()
    assert.equal(after.name, 'Office PC')
    assert.isFalse(after.active)
    const heartbeat = await bodyOf(api.heartbeat(started.session_token))
    assert.equal(heartbeat.error.end_reason, 'deactivated')

    await client.get(`/admin/licenses/${license.id}`)
    await client.post(`/admin/licenses/${license.id}/devices/${row.id}/deactivate`)
    assert.include(
      (await client.get(`/admin/licenses/${license.id}`)).body,
      'This device is not active.'
    )

    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((entry) => [entry.action, entry.subjectType, entry.subjectId]),
      [
        ['device.renamed', 'license', String(license.id)],
        ['device.deactivated', 'license', String(license.id)],
      ],
      'an unchanged name and a second deactivation write nothing'
    )
    assert.deepEqual(rows[0].after, { device_id: Number(row.id), name: 'Office PC' })
    const again = await client.get(`/admin/licenses/${license.id}`)
    assert.include(again.body, 'device.renamed')
    assert.include(again.body, 'device.deactivated')
    assert.include(again.body, 'device deactivated', 'the ended session is in the history')

    const otherLicense = await createLicense()
    assert.equal(
      (
        await client.post(`/admin/licenses/${otherLicense.id}/devices/${row.id}/rename`, {
          name: 'x',
        })
      ).status,
      404,
      'a device of another license'
    )
    for (const path of [
      '/admin/licenses/99999999',
      '/admin/licenses/abc',
      '/admin/licenses/9999999999999999999999',
      '/admin/licenses/99999999/edit',
    ]) {
      assert.equal((await client.get(path)).status, 404, path)
    }
  })
  test('with many customers, license forms take a customer id and name the chosen one', async ({
    assert,
  }) => {
    await Customer.createMany(
      Array.from({ length: 101 }, (_, index) => ({ name: unique(`Crowd ${index}`) }))
    )
    const chosen = await Customer.create({ name: unique('Chosen One') })
    const product = await createProduct()
    const { client } = await loggedInPanel('admin')
    const form = await client.get(`/admin/licenses/new?customer_id=${chosen.id}`)
    assert.match(form.body, /<input type="text" name="customer_id"[^>]*data-suggest="ids"/)
    assert.include(form.body, `value="${chosen.id}"`)
    assert.include(form.body, `Now: ${chosen.name} (#${chosen.id}).`)
    assert.include(form.body, '/assets/customers.js')
    const list = await client.get(`/admin/licenses?customer_id=${chosen.id}`)
    assert.match(list.body, /name="customer_id" value="\d+" data-suggest="ids"/)

    const created = await client.post('/admin/licenses', {
      product_id: product.id,
      type: 'perpetual',
      count: 1,
      max_devices: 1,
      max_sessions: 1,
      customer_id: String(chosen.id),
      expiry_basis: 'first_activation',
    })
    const license = await License.query().where('product_id', product.id).firstOrFail()
    assert.equal(created.location, `/admin/licenses/${license.id}`)
    assert.equal(license.customerId, chosen.id)
    assert.isNull(license.expiresAt, 'perpetual never expires, whatever the basis')
    const edit = await client.get(`/admin/licenses/${license.id}/edit`)
    assert.include(edit.body, `Now: ${chosen.name} (#${chosen.id}).`)
  })
})
