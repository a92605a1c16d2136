import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Customer from '#models/customer'
import { createProduct, fingerprint, unique } from '#tests/support/fixtures'
import { PanelClient, auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import {
  SessionClient,
  bodyOf,
  expectStatus,
  restoreClock,
  useFixedClock,
} from '#tests/support/sessions'

/** The rows of a sessions table, in order, by a marker each row has once. */
const licenseLinks = (body: string) =>
  [...body.matchAll(/href="\/admin\/licenses\/(\d+)"/g)].map((match) => Number(match[1]))

const endReasons = (body: string) =>
  [...body.matchAll(/data-end-reason="(\w+)"/g)].map((match) => match[1])

const minute = (moment: DateTime) => moment.toUTC().toFormat("yyyy-LL-dd'T'HH:mm")

test.group('Panel: live sessions', (group) => {
  group.each.teardown(() => restoreClock())

  test('the list shows a session started through the client API, with its fields', async ({
    client: http,
    assert,
  }) => {
    const customer = await Customer.create({ name: unique('Online Customer') })
    const { license, api } = await SessionClient.forLicense(http, { customerId: customer.id })
    const device = fingerprint()
    await expectStatus(api.start(device, { version: '4.2.0' }), 201)
    const session = await db.from('license_sessions').where('license_id', license.id).firstOrFail()

    const { client } = await loggedInPanel('admin')
    const page = await client.get(`/admin/sessions?q=${license.key}`)
    assert.equal(page.status, 200)
    assert.include(page.body, `<a href="/admin/licenses/${license.id}"><code>${license.key}</code>`)
    assert.include(page.body, `<a href="/admin/customers/${customer.id}">${customer.name}</a>`)
    for (const text of [device, '127.0.0.1', '4.2.0', session.policy]) {
      assert.include(page.body, text)
    }
    const time = (value: Date) => DateTime.fromJSDate(value).toUTC().toFormat('yyyy-LL-dd HH:mm:ss')
    assert.include(page.body, time(session.started_at))
    assert.include(page.body, time(session.expires_at))
    assert.notInclude(page.body, 'End session', 'admins see no force-end button')

    const { client: owner } = await loggedInPanel('owner')
    const ownersPage = await owner.get(`/admin/sessions?q=${license.key}`)
    assert.include(ownersPage.body, `action="/admin/sessions/${session.id}/end"`)
    assert.include(ownersPage.body, 'End session')
  })

  test('search (key, fingerprint, IP, customer), filters, sorting and bad input', async ({
    client: http,
    assert,
  }) => {
    const customer = await Customer.create({ name: unique('Searchable Customer') })
    const product = await createProduct()
    const first = await SessionClient.forLicense(http, {
      customerId: customer.id,
      productId: product.id,
    })
    const second = await SessionClient.forLicense(http, {
      customerId: customer.id,
      productId: product.id,
    })
    const clock = useFixedClock()
    const firstDevice = fingerprint()
    await expectStatus(first.api.start(firstDevice), 201)
    clock.advance({ seconds: 5 })
    await expectStatus(second.api.start(fingerprint()), 201)
    const [a, b] = [first.license.id, second.license.id]
    const { policy } = await db.from('license_sessions').where('license_id', a).firstOrFail()

    const { client } = await loggedInPanel('admin')
    const rows = async (query: string) => {
      const page = await client.get(`/admin/sessions?${query}`)
      assert.equal(page.status, 200, query)
      return licenseLinks(page.body).filter((id) => id === a || id === b)
    }
    assert.deepEqual(await rows(`q=${first.license.key}`), [a])
    assert.deepEqual(await rows(`q=${first.license.key.toLowerCase()}`), [a])
    assert.deepEqual(await rows(`q=${firstDevice}`), [a])
    assert.deepEqual(await rows(`q=${encodeURIComponent(customer.name)}&sort=started_at`), [b, a])
    assert.deepEqual(await rows(`q=${encodeURIComponent(customer.name)}&sort=started_at&dir=asc`), [
      a,
      b,
    ])
    assert.includeMembers(await rows(`q=127.0.0.1&product_id=${product.id}`), [a, b])
    const byKey = [first, second]
      .sort((x, y) => x.license.key.localeCompare(y.license.key))
      .map((one) => one.license.id)
    assert.deepEqual(await rows(`product_id=${product.id}&sort=license&dir=asc`), byKey)
    assert.deepEqual(await rows(`product_id=${product.id}&sort=license&dir=desc`), byKey.reverse())
    assert.deepEqual(await rows(`q=${first.license.key}&policy=${policy}`), [a])
    assert.deepEqual(await rows(`q=${first.license.key}&policy=no-such-policy`), [])
    assert.deepEqual(await rows(`q=${unique('nothing')}`), [])
    // Malformed parameters fall back to the defaults.
    for (const query of [
      'sort=nope&dir=sideways&page=abc&per_page=-3',
      'policy=%3Cscript%3E&product_id=99999999999999999999',
      `q=${'x'.repeat(500)}`,
      'q=%25_%5C',
      'page=999999',
    ]) {
      assert.equal((await client.get(`/admin/sessions?${query}`)).status, 200, query)
    }
  })

  test('an owner force-ends a session: the next heartbeat gets 410 forced; audited', async ({
    client: http,
    assert,
  }) => {
    const { license, api } = await SessionClient.forLicense(http)
    const started = await bodyOf(api.start(fingerprint()))
    const session = await db.from('license_sessions').where('license_id', license.id).firstOrFail()

    const { client, admin } = await loggedInPanel('owner')
    await client.get('/admin/sessions')
    const since = await lastAuditId()
    const ended = await client.post(`/admin/sessions/${session.id}/end`)
    assert.equal(ended.status, 302)
    assert.match(ended.location!, /\/admin\/sessions$/)
    assert.include((await client.get('/admin/sessions')).body, 'The session was ended')

    const heartbeat = await expectStatus(api.heartbeat(started.session_token), 410)
    assert.equal(heartbeat.body().error.end_reason, 'forced')
    const rows = await auditRowsAfter(since)
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].action, 'session.forced_end')
    assert.equal(rows[0].actorId, String(admin.id))
    assert.equal(rows[0].subjectId, String(license.id))
    const history = await db.from('session_history').where('id', session.id).firstOrFail()
    assert.equal(history.end_reason, 'forced')
    assert.equal(history.ended_by, admin.email)
    assert.isNull(await db.from('license_sessions').where('id', session.id).first())

    // Ending it again, or a session that never was, changes nothing.
    await client.get('/admin/sessions')
    for (const id of [session.id, 2147483647, '99999999999999999999']) {
      const again = await client.post(`/admin/sessions/${id}/end`)
      assert.equal(again.status, 302, String(id))
    }
    assert.include((await client.get('/admin/sessions')).body, 'no longer live')
    assert.lengthOf(await auditRowsAfter(since), 1)
  })

  test('an admin may not force-end: 403, and the session stays live', async ({
    client: http,
    assert,
  }) => {
    const { license, api } = await SessionClient.forLicense(http)
    const started = await bodyOf(api.start(fingerprint()))
    const session = await db.from('license_sessions').where('license_id', license.id).firstOrFail()
    const { client } = await loggedInPanel('admin')
    await client.get('/admin/sessions')
    const since = await lastAuditId()
    assert.equal((await client.post(`/admin/sessions/${session.id}/end`)).status, 403)
    await expectStatus(api.heartbeat(started.session_token), 200)
    assert.isNotNull(await db.from('license_sessions').where('id', session.id).first())
    assert.lengthOf(
      (await auditRowsAfter(since)).filter((row) => row.action === 'session.forced_end'),
      0
    )
  })
})

test.group('Panel: session history', (group) => {
  group.each.teardown(() => restoreClock())

  /**
   * One license's sessions: one ended normally 30 hours ago, one timed out
   * 2 hours ago, one force-ended now.
   */
  async function historyOfThree(http: Parameters<typeof SessionClient.forLicense>[0]) {
    const now = DateTime.utc().startOf('second')
    const clock = useFixedClock(now.minus({ hours: 30 }))
    const customer = await Customer.create({ name: unique('History Customer') })
    const { license, api } = await SessionClient.forLicense(http, { customerId: customer.id })
    const device = fingerprint()

    const old = await bodyOf(api.start(device))
    clock.advance({ seconds: 20 })
    await expectStatus(api.end(old.session_token), 200)

    clock.set(now.minus({ hours: 2 }))
    const lapsed = await bodyOf(api.start(device))
    clock.advance({ minutes: 5 })
    const timedOut = await expectStatus(api.heartbeat(lapsed.session_token), 410)
    assert410(timedOut.body().error.end_reason, 'timeout')

    clock.set(now)
    await bodyOf(api.start(device))
    const live = await db.from('license_sessions').where('license_id', license.id).firstOrFail()
    const { client } = await loggedInPanel('owner')
    await client.get('/admin/sessions')
    await client.post(`/admin/sessions/${live.id}/end`)
    return { now, license, customer, client }
  }

  function assert410(actual: string, expected: string) {
    if (actual !== expected) throw new Error(`expected end_reason ${expected}, got ${actual}`)
  }

  test('ended sessions of the last 24 hours; filters by end reason and time range', async ({
    client: http,
    assert,
  }) => {
    const { now, license, customer, client } = await historyOfThree(http)
    const reasons = async (query: string) => {
      const page = await client.get(`/admin/sessions/history?q=${license.key}&${query}`)
      assert.equal(page.status, 200, query)
      return endReasons(page.body)
    }

    const page = await client.get(`/admin/sessions/history?q=${license.key}`)
    assert.include(page.body, `<a href="/admin/licenses/${license.id}"><code>${license.key}</code>`)
    assert.include(page.body, customer.name)
    assert.deepEqual(
      endReasons(page.body),
      ['forced', 'timeout'],
      'the last 24 hours, newest first'
    )
    assert.deepEqual(await reasons('sort=ended_at&dir=asc'), ['timeout', 'forced'])
    assert.deepEqual(await reasons('end_reason=forced'), ['forced'])
    assert.deepEqual(await reasons('end_reason=timeout'), ['timeout'])
    assert.deepEqual(await reasons('end_reason=normal'), [])

    const dayAndHalf = minute(now.minus({ hours: 36 }))
    assert.deepEqual(await reasons(`from=${dayAndHalf}`), ['forced', 'timeout', 'normal'])
    const aroundOld = `from=${minute(now.minus({ hours: 31 }))}&to=${minute(now.minus({ hours: 29 }))}`
    assert.deepEqual(await reasons(aroundOld), ['normal'])
    assert.deepEqual(await reasons(`${aroundOld}&end_reason=normal`), ['normal'])
    // A range given backwards is turned round; `to` alone covers the day before it.
    const backwards = `from=${minute(now.minus({ hours: 29 }))}&to=${minute(now.minus({ hours: 31 }))}`
    assert.deepEqual(await reasons(backwards), ['normal'])
    assert.deepEqual(await reasons(`to=${minute(now.minus({ hours: 10 }))}`), ['normal'])
    assert.deepEqual(await reasons(`to=${now.minus({ hours: 30 }).toISODate()}`), ['normal'])
    assert.deepEqual(await reasons('from=2000-01-01&to=2000-01-02'), [])
    const byCustomer = await client.get(
      `/admin/sessions/history?q=${encodeURIComponent(customer.name)}`
    )
    assert.deepEqual(endReasons(byCustomer.body), ['forced', 'timeout'])

    // Bad input is ignored, never a 500.
    for (const query of [
      'from=yesterday&to=2026-02-30&end_reason=%3Cscript%3E',
      'from=0000-01-01&to=9999-12-31T23:59',
      'sort=nope&page=-1&per_page=abc&policy=Robert%27);DROP',
    ]) {
      const bad = await client.get(`/admin/sessions/history?${query}`)
      assert.equal(bad.status, 200, query)
    }
  })

  test('the filtered history exports as CSV', async ({ client: http, assert }) => {
    const { now, license, customer, client } = await historyOfThree(http)
    const csv = await client.get(
      `/admin/sessions/history/export.csv?q=${license.key}&from=${minute(now.minus({ days: 2 }))}`
    )
    assert.equal(csv.status, 200)
    assert.include(csv.headers.get('content-type')!, 'text/csv')
    assert.match(csv.headers.get('content-disposition')!, /attachment; filename="session-history-/)
    const lines = csv.body.trim().split('\n')
    assert.equal(
      lines[0],
      'session_id,license_key,product,customer,fingerprint,ip,client_version,policy,' +
        'started_at,last_heartbeat_at,ended_at,end_reason,ended_by,heartbeats'
    )
    assert.lengthOf(lines, 4)
    assert.isTrue(lines.slice(1).every((line) => line.includes(license.key)))
    assert.isTrue(lines.slice(1).every((line) => line.includes(customer.name)))
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(',')[11]),
      ['forced', 'timeout', 'normal']
    )

    const forced = await client.get(
      `/admin/sessions/history/export.csv?q=${license.key}&end_reason=forced`
    )
    const forcedLines = forced.body.trim().split('\n')
    assert.lengthOf(forcedLines, 2)
    assert.include(forcedLines[1], '@example.com', 'who ended it')
    const page = await client.get(`/admin/sessions/history?q=${license.key}&end_reason=forced`)
    assert.include(
      page.body,
      `href="/admin/sessions/history/export.csv?end_reason=forced&amp;q=${license.key}`
    )
  })
})

test.group('Panel: sessions need a login', () => {
  test('not logged in: every sessions page sends to the login', async ({ assert }) => {
    const anonymous = new PanelClient()
    for (const path of [
      '/admin/sessions',
      '/admin/sessions/history',
      '/admin/sessions/history/export.csv',
    ]) {
      assert.equal((await anonymous.get(path)).location, '/admin/login', path)
    }
    const post = await anonymous.post('/admin/sessions/1/end')
    assert.equal(post.location, '/admin/login')
  })
})
