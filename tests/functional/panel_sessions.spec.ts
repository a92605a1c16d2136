import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { fingerprint, unique } from '#tests/support/fixtures'
import { PanelClient, auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import { SessionClient, bodyOf, expectStatus } from '#tests/support/sessions'

test.group('Panel: sessions', () => {
  test('live sessions list what an admin needs; search finds them', async ({
    client: http,
    assert,
  }) => {
    const customer = await Customer.create({ name: unique('Online Customer') })
    const { license, api } = await SessionClient.forLicense(http, { customerId: customer.id })
    const device = fingerprint()
    await expectStatus(api.start(device, { version: '4.2.0' }), 201)

    const { client } = await loggedInPanel('admin')
    const page = await client.get(`/admin/sessions?q=${license.key}`)
    assert.equal(page.status, 200)
    for (const text of [license.key, customer.name, device, '127.0.0.1', '4.2.0']) {
      assert.include(page.body, text)
    }
    assert.notInclude(page.body, 'End session', 'admins see no force-end button')
    const other = await client.get(`/admin/sessions?q=${unique('nothing')}`)
    assert.notInclude(other.body, license.key)
    assert.equal((await client.get('/admin/sessions?sort=nope&page=abc&per_page=-3')).status, 200)
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

    const heartbeat = await bodyOf(api.heartbeat(started.session_token))
    assert.equal(heartbeat.error.end_reason, 'forced')
    const [row] = await auditRowsAfter(since)
    assert.equal(row.action, 'session.forced_end')
    assert.equal(row.actorId, String(admin.id))
    const history = await db.from('session_history').where('id', session.id).firstOrFail()
    assert.equal(history.end_reason, 'forced')
    assert.equal(history.ended_by, admin.email)

    const again = await client.post(`/admin/sessions/${session.id}/end`)
    assert.equal(again.status, 302)
    assert.lengthOf(await auditRowsAfter(since), 1, 'ending it twice changes nothing')
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
    assert.equal((await client.post(`/admin/sessions/${session.id}/end`)).status, 403)
    await expectStatus(api.heartbeat(started.session_token), 200)
  })

  test('history filters by end reason and time range, and exports CSV', async ({
    client: http,
    assert,
  }) => {
    const { license, api } = await SessionClient.forLicense(http)
    const first = await bodyOf(api.start(fingerprint()))
    await expectStatus(api.end(first.session_token), 200)

    const { client } = await loggedInPanel('admin')
    const normal = await client.get(`/admin/sessions/history?q=${license.key}&end_reason=normal`)
    assert.include(normal.body, license.key)
    const row = `href="/admin/licenses/${license.id}"`
    assert.include(normal.body, row)
    const forced = await client.get(`/admin/sessions/history?q=${license.key}&end_reason=forced`)
    assert.notInclude(forced.body, row)
    const old = await client.get(
      `/admin/sessions/history?q=${license.key}&from=2000-01-01&to=2000-01-02`
    )
    assert.notInclude(old.body, row)
    const bad = await client.get('/admin/sessions/history?from=yesterday&end_reason=<script>')
    assert.equal(bad.status, 200)

    const csv = await client.get(`/admin/sessions/history/export.csv?q=${license.key}`)
    assert.equal(csv.status, 200)
    assert.include(csv.headers.get('content-type')!, 'text/csv')
    const lines = csv.body.trim().split('\n')
    assert.lengthOf(lines, 2)
    assert.include(lines[1], license.key)
    assert.include(lines[1], 'normal')
  })

  test('not logged in: every sessions page sends to the login', async ({ assert }) => {
    const anonymous = new PanelClient()
    for (const path of ['/admin/sessions', '/admin/sessions/history']) {
      assert.equal((await anonymous.get(path)).location, '/admin/login')
    }
  })
})
