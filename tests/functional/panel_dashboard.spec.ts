import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import DashboardFigureService from '#services/dashboard_figures'
import app from '@adonisjs/core/services/app'
import { baseUrl, fingerprint } from '#tests/support/fixtures'
import { PanelClient, loggedInPanel } from '#tests/support/panel'
import { SessionClient, bodyOf, restoreClock, useFixedClock } from '#tests/support/sessions'

const figures = async () => (await app.container.make(DashboardFigureService)).current()

test.group('Panel: dashboard', (group) => {
  group.each.teardown(() => restoreClock())

  test('figures move with sessions, heartbeats and license statuses', async ({
    client: http,
    assert,
  }) => {
    const clock = useFixedClock()
    const before = await figures()
    const { api } = await SessionClient.forLicense(http)
    const started = await bodyOf(api.start(fingerprint()))
    clock.advance({ seconds: 10 })
    await bodyOf(api.heartbeat(started.session_token))

    const after = await figures()
    assert.equal(after.sessionsOnline, before.sessionsOnline + 1)
    assert.equal(after.devicesInUse, before.devicesInUse + 1)
    assert.equal(after.heartbeatsPerMinute, before.heartbeatsPerMinute + 1)
    assert.equal(after.licenses.active, before.licenses.active + 1)
    const chart = await (await app.container.make(DashboardFigureService)).onlineLast24Hours()
    assert.lengthOf(chart, 24)
    assert.isAtLeast(chart[23].sessions, 1, 'the session counts in the current hour')

    // Past the timeout, the session is no longer online and the beat is old
    // (sessions of other tests may have expired too).
    clock.advance({ minutes: 5 })
    const later = await figures()
    assert.isAtMost(later.sessionsOnline, after.sessionsOnline - 1)
    assert.equal(later.heartbeatsPerMinute, 0)
  })

  test('the page shows the figures and the chart data', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const page = await client.get('/admin')
    assert.equal(page.status, 200)
    assert.include(page.body, 'data-figure="sessionsOnline"')
    assert.include(page.body, 'id="online-chart"')
    assert.match(page.body, /data-series="\[\{&quot;hour&quot;/)
    const chartJs = await fetch(`${baseUrl()}/vendor/chart.umd.min.js`)
    assert.equal(chartJs.status, 200)
    assert.include(await chartJs.text(), 'Chart')
  })

  test('the live stream sends the figures as Server-Sent Events', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const controller = new AbortController()
    const response = await fetch(`${baseUrl()}/admin/dashboard/stream`, {
      headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      signal: controller.signal,
    })
    assert.equal(response.status, 200)
    assert.include(response.headers.get('content-type')!, 'text/event-stream')
    const reader = response.body!.getReader()
    let text = ''
    while (!text.includes('event: figures')) {
      const { value, done } = await reader.read()
      if (done) break
      text += new TextDecoder().decode(value)
    }
    while (!text.includes('\n\n', text.indexOf('event: figures'))) {
      const { value } = await reader.read()
      text += new TextDecoder().decode(value)
    }
    controller.abort()
    const data = JSON.parse(text.split('event: figures\ndata: ')[1].split('\n')[0])
    const expected = await db.from('license_sessions').count('* as total').first()
    assert.isNumber(data.sessionsOnline)
    assert.isAtMost(data.sessionsOnline, Number(expected.total))
    assert.properties(data.licenses, ['active', 'expired', 'suspended', 'revoked', 'total'])
    assert.lengthOf(data.online, 24)
  })

  test('not logged in: the dashboard and its stream send to the login', async ({ assert }) => {
    const anonymous = new PanelClient()
    assert.equal((await anonymous.get('/admin')).location, '/admin/login')
    assert.equal((await anonymous.get('/admin/dashboard/stream')).location, '/admin/login')
  })
})
