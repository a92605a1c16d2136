import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { createHash } from 'node:crypto'
import DashboardController from '#controllers/panel/dashboard_controller'
import DashboardFigureService, { type DashboardFigures } from '#services/dashboard_figures'
import { baseUrl, createLicense, fingerprint, unique } from '#tests/support/fixtures'
import { PanelClient, loggedInPanel } from '#tests/support/panel'
import {
  SessionClient,
  bodyOf,
  expectStatus,
  restoreClock,
  useFixedClock,
} from '#tests/support/sessions'

const figures = async () => (await app.container.make(DashboardFigureService)).current()

/** Undoes Edge's HTML escaping of an attribute value. */
const unescapeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')

/** The number a page shows for a `data-figure`. */
function shownFigure(body: string, name: string) {
  const match = body.match(new RegExp(`data-figure="${name.replace('.', '\\.')}">(\\d+)<`))
  if (!match) throw new Error(`no figure ${name} on the page`)
  return Number(match[1])
}

function difference(after: DashboardFigures, before: DashboardFigures) {
  return {
    licenses: Object.fromEntries(
      Object.entries(after.licenses).map(([status, count]) => [
        status,
        count - before.licenses[status as keyof DashboardFigures['licenses']],
      ])
    ),
    devicesInUse: after.devicesInUse - before.devicesInUse,
    sessionsOnline: after.sessionsOnline - before.sessionsOnline,
    heartbeatsPerMinute: after.heartbeatsPerMinute - before.heartbeatsPerMinute,
  }
}

/**
 * Reads Server-Sent Events from a fetch response, one at a time.
 */
class EventReader {
  protected buffer = ''
  protected decoder = new TextDecoder()
  protected reader: ReadableStreamDefaultReader<Uint8Array>

  constructor(response: Response) {
    this.reader = response.body!.getReader()
  }

  /** The next event with a name, or null once the stream has ended. */
  async next(): Promise<{ event: string; data: any } | null> {
    for (;;) {
      const end = this.buffer.indexOf('\n\n')
      if (end >= 0) {
        const block = this.buffer.slice(0, end)
        this.buffer = this.buffer.slice(end + 2)
        const event = block.match(/^event: (.*)$/m)?.[1]
        const data = block.match(/^data: (.*)$/m)?.[1]
        if (event && data !== undefined) return { event, data: JSON.parse(data) }
        continue
      }
      const { value, done } = await this.reader.read()
      if (done) return null
      this.buffer += this.decoder.decode(value, { stream: true })
    }
  }

  async nextOf(name: string) {
    for (;;) {
      const event = await this.next()
      if (!event || event.event === name) return event
    }
  }
}

function openStream(client: PanelClient, signal: AbortSignal) {
  return fetch(`${baseUrl()}/admin/dashboard/stream`, {
    headers: {
      cookie: [...client.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
      accept: 'text/event-stream',
    },
    signal,
  })
}

async function eventually(check: () => boolean, timeoutMs = 3000) {
  const until = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > until) return false
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  return true
}

test.group('Panel: dashboard figures', (group) => {
  group.each.teardown(() => restoreClock())

  test('licenses by status, devices, sessions online and heartbeats per minute', async ({
    client: http,
    assert,
  }) => {
    const at = DateTime.utc().startOf('second')
    const clock = useFixedClock(at)
    const before = await figures()

    await createLicense({ type: 'perpetual' })
    await createLicense({ type: 'perpetual', status: 'suspended' })
    await createLicense({ type: 'perpetual', status: 'revoked' })
    await createLicense({
      type: '1m',
      expiryBasis: 'creation',
      expiresAt: at.minus({ days: 1 }),
    })

    // Two programs online. Beats at -70 s (more than a minute ago), -40 s
    // (both) and -10 s (one): three in the last minute.
    const first = await SessionClient.forLicense(http)
    const second = await SessionClient.forLicense(http)
    clock.set(at.minus({ seconds: 100 }))
    const one = await bodyOf(first.api.start(fingerprint()))
    const two = await bodyOf(second.api.start(fingerprint()))
    clock.set(at.minus({ seconds: 70 }))
    await expectStatus(first.api.heartbeat(one.session_token), 200)
    await expectStatus(second.api.heartbeat(two.session_token), 200)
    clock.set(at.minus({ seconds: 40 }))
    await expectStatus(first.api.heartbeat(one.session_token), 200)
    await expectStatus(second.api.heartbeat(two.session_token), 200)
    clock.set(at.minus({ seconds: 10 }))
    await expectStatus(first.api.heartbeat(one.session_token), 200)

    clock.set(at)
    const after = await figures()
    assert.deepEqual(difference(after, before), {
      // the two licenses in use are active too
      licenses: { active: 3, expired: 1, suspended: 1, revoked: 1, total: 6 },
      devicesInUse: 2,
      sessionsOnline: 2,
      heartbeatsPerMinute: 3,
    })
    assert.equal(after.at, at.toISO())

    // The page shows the same figures.
    const { client } = await loggedInPanel('admin')
    const page = await client.get('/admin')
    assert.equal(page.status, 200)
    assert.equal(shownFigure(page.body, 'sessionsOnline'), after.sessionsOnline)
    assert.equal(shownFigure(page.body, 'heartbeatsPerMinute'), after.heartbeatsPerMinute)
    assert.equal(shownFigure(page.body, 'devicesInUse'), after.devicesInUse)
    assert.equal(shownFigure(page.body, 'licenses.total'), after.licenses.total)
    assert.equal(shownFigure(page.body, 'licenses.expired'), after.licenses.expired)

    // A minute on, the second session has expired and no beat is recent.
    // Sessions and beats of earlier tests, at real time, may leave the
    // window too: compare with the figures just before, not with zero.
    clock.set(at.plus({ seconds: 30 }))
    const later = await figures()
    assert.isAtMost(later.sessionsOnline, after.sessionsOnline - 1)
    assert.isAtLeast(later.heartbeatsPerMinute, 1, 'the beat at -10 s is still in the window')
    clock.set(at.plus({ seconds: 55 }))
    const latest = await figures()
    assert.isAtMost(latest.heartbeatsPerMinute, later.heartbeatsPerMinute - 1)

    clock.set(at)
    await expectStatus(first.api.end(one.session_token), 200)
    await expectStatus(second.api.end(two.session_token), 200)
  })

  test('the chart: the most sessions online at once per 10 minutes, over 24 hours', async ({
    client: http,
    assert,
  }) => {
    // A day long past, so that no other test's sessions fall in the window.
    const day = DateTime.utc(2001, 3, 4)
    const clock = useFixedClock(DateTime.utc(2001, 3, 4, 12, 4, 30) as DateTime<true>)
    const license = await createLicense({ type: 'perpetual' })
    const ended = async (from: DateTime, to: DateTime) =>
      db.table('session_history').insert({
        id: db.raw("nextval(pg_get_serial_sequence('license_sessions', 'id'))"),
        license_id: license.id,
        fingerprint: unique('fp'),
        token_hash: createHash('sha256').update(unique('token')).digest('hex'),
        policy: 'single',
        started_at: from.toJSDate(),
        last_heartbeat_at: from.toJSDate(),
        ended_at: to.toJSDate(),
        end_reason: 'normal',
      })
    const t = (time: string, base = day) =>
      DateTime.fromISO(`${base.toISODate()}T${time}:00`, { zone: 'utc' })
    const dayBefore = day.minus({ days: 1 })
    // Online before the window opens (12:10 the day before), gone at 12:30.
    await ended(t('12:00', dayBefore), t('12:30', dayBefore))
    await ended(t('09:00'), t('09:30')) // ends exactly as 09:30 opens
    await ended(t('09:15'), t('09:45')) // overlaps the one before: 2 at once
    await ended(t('09:52'), t('09:53')) // one minute long, still counted
    // And one online now, through the client API (the 12:00 bucket is under way).
    const { api } = await SessionClient.forLicense(http)
    const live = await bodyOf(api.start(fingerprint()))
    clock.set(day.set({ hour: 12, minute: 5 }))

    const expected = new Map([
      [t('12:10', dayBefore).toISO(), 1],
      [t('12:20', dayBefore).toISO(), 1],
      [t('09:00').toISO(), 1],
      [t('09:10').toISO(), 2],
      [t('09:20').toISO(), 2],
      [t('09:30').toISO(), 1],
      [t('09:40').toISO(), 1],
      [t('09:50').toISO(), 1],
      [t('12:00').toISO(), 1],
    ])
    const series = await (await app.container.make(DashboardFigureService)).onlineLast24Hours()
    assert.lengthOf(series, 144)
    assert.equal(series[0].at, t('12:10', dayBefore).toISO())
    assert.equal(series[143].at, t('12:00').toISO())
    assert.deepEqual(
      series.filter((point) => point.sessions > 0),
      [...expected].map(([at, sessions]) => ({ at: at!, sessions }))
    )

    // The page hands the same series to the chart.
    const { client } = await loggedInPanel('admin')
    const page = await client.get('/admin')
    const attribute = page.body.match(/data-series="([^"]*)"/)
    assert.isNotNull(attribute)
    assert.deepEqual(JSON.parse(unescapeHtml(attribute![1])), series)

    await expectStatus(api.end(live.session_token), 200)
  })
})

test.group('Panel: dashboard page and stream', (group) => {
  const config = app.config.get<Record<string, number>>('dashboard')
  const defaults = { ...config }
  group.each.teardown(() => {
    restoreClock()
    app.config.set('dashboard', { ...defaults })
  })

  test('the page loads Chart.js from the app itself, cached for good', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const page = await client.get('/admin')
    assert.equal(page.status, 200)
    assert.include(page.body, 'id="online-chart"')
    assert.include(page.body, '<script src="/assets/dashboard.js" defer></script>')
    const src = page.body.match(/<script src="(\/assets\/vendor\/chart\.umd\.min\.js\?v=\w+)"/)
    assert.isNotNull(src, 'the page loads the vendored Chart.js')
    assert.notMatch(page.body, /<script(?![^>]*src=)[^>]*>/, 'no inline script')

    const chartJs = await fetch(`${baseUrl()}${src![1]}`)
    assert.equal(chartJs.status, 200)
    assert.include(chartJs.headers.get('content-type')!, 'javascript')
    assert.include(chartJs.headers.get('cache-control')!, 'immutable')
    assert.include(await chartJs.text(), 'Chart')
    const again = await fetch(`${baseUrl()}${src![1]}`, {
      headers: { 'if-none-match': chartJs.headers.get('etag')! },
    })
    assert.equal(again.status, 304)
  })

  test('the stream sends the figures as Server-Sent Events, again and again', async ({
    assert,
  }) => {
    const clock = useFixedClock()
    app.config.set('dashboard.streamIntervalSeconds', 0.2)
    const { client } = await loggedInPanel('admin')
    const expected = await figures()
    const openBefore = DashboardController.openStreams

    const controller = new AbortController()
    const response = await openStream(client, controller.signal)
    assert.equal(response.status, 200)
    assert.include(response.headers.get('content-type')!, 'text/event-stream')
    assert.equal(response.headers.get('cache-control'), 'no-store')
    const events = new EventReader(response)

    const first = await events.next()
    assert.equal(first?.event, 'figures')
    assert.deepEqual(first?.data, expected)
    const chart = await events.next()
    assert.equal(chart?.event, 'chart')
    assert.lengthOf(chart?.data, 144)

    // The open stream holds nothing: the same admin loads other pages.
    const other = await client.get('/admin/sessions')
    assert.equal(other.status, 200)

    // Figures keep coming, each taken anew.
    clock.advance({ minutes: 2 })
    const moved = clock.now().toISO()
    let latest = await events.nextOf('figures')
    for (let read = 0; read < 50 && latest?.data.at !== moved; read++) {
      latest = await events.nextOf('figures')
    }
    assert.equal(latest?.data.at, moved)
    assert.equal(DashboardController.openStreams, openBefore + 1)

    // The client goes away: the server stops.
    controller.abort()
    assert.isTrue(
      await eventually(() => DashboardController.openStreams === openBefore),
      'the stream is closed on the server'
    )
  })

  test('the server ends a stream after its lifetime; the browser reconnects', async ({
    assert,
  }) => {
    app.config.set('dashboard.streamMaxSeconds', 0.3)
    const { client } = await loggedInPanel('admin')
    const response = await openStream(client, new AbortController().signal)
    assert.include(await response.text(), 'event: figures')
    assert.include(await (await openStream(client, new AbortController().signal)).text(), 'retry:')
  }).timeout(5000)

  test('not logged in: the dashboard and its stream send to the login', async ({ assert }) => {
    const anonymous = new PanelClient()
    assert.equal((await anonymous.get('/admin')).location, '/admin/login')
    const stream = await openStream(anonymous, new AbortController().signal)
    assert.equal(stream.url, `${baseUrl()}/admin/login`, 'redirected to the login')
    assert.notInclude(stream.headers.get('content-type')!, 'text/event-stream')
    const manual = await anonymous.get('/admin/dashboard/stream')
    assert.equal(manual.location, '/admin/login')
  })
})
