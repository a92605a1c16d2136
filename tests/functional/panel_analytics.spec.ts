import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Customer from '#models/customer'
import Device from '#models/device'
import Entitlement from '#models/entitlement'
import type License from '#models/license'
import LicenseTemplate from '#models/license_template'
import Meter from '#models/meter'
import Product from '#models/product'
import { counterPeriodAt } from '#services/usage/periods'
import { createLicense, fingerprint, unique } from '#tests/support/fixtures'
import { PanelClient, loggedInPanel } from '#tests/support/panel'
import { restoreClock, useFixedClock } from '#tests/support/sessions'
import { endedSession, ensureUsagePartitions } from '#tests/support/usage'

/**
 * The usage pages read what the usage engine, the session engine and the
 * hourly job write; here those rows are written directly, at moments
 * around a fixed clock, so every figure on the page is known.
 */
const NOW = DateTime.utc().startOf('day').plus({ hours: 12 })
const ago = (duration: Parameters<DateTime['minus']>[0]) => NOW.minus(duration)

interface Seeded {
  product: Product
  meters: Record<'exports' | 'api_calls' | 'seats' | 'builds' | 'renders', Meter>
  l1: License
  l2: License
  l3: License
  l4: License
}

async function recordEvent(
  license: License,
  meter: Meter,
  amount: number,
  at: DateTime,
  extra: { over_limit?: boolean; idempotency_key?: string } = {}
) {
  await db.table('usage_events').insert({
    license_id: license.id,
    meter_id: meter.id,
    amount,
    at: at.toJSDate(),
    period_start: at.startOf('month').toJSDate(),
    ...extra,
  })
}

/** A counter row of the period that holds `at`, as the usage engine keys it. */
async function counter(
  license: License,
  meter: Meter,
  at: DateTime,
  used: number,
  resetAt?: DateTime
) {
  await db.table('usage_counters').insert({
    license_id: license.id,
    meter_id: meter.id,
    period_start: counterPeriodAt(meter, at).start.toJSDate(),
    used,
    reset_at: resetAt?.toJSDate() ?? null,
  })
}

/**
 * One product with four meters, three entitlements, a template and four
 * licenses:
 * - l1 (template, customer): grant beta, withdraw sso; exports 45 of the
 *   template's 50 this month (Berlin), 500 last month;
 * - l2 (template): its own unlimited exports (400 used), api_calls 1000;
 * - l3 (no template): grant sso; exports 120 of the default 100, builds 5
 *   of 5, seats 9 of 10 in the rolling hour (5 more two hours ago);
 * - l4 (template, suspended).
 */
async function seed(): Promise<Seeded> {
  await ensureUsagePartitions(ago({ months: 3 }), 5)
  const product = await Product.create({ name: unique('Analytics'), slug: unique('analytics') })
  const meter = (code: string, fields: Partial<Meter>) =>
    Meter.create({ productId: product.id, code, name: `${code} meter`, ...fields })
  const meters = {
    exports: await meter('exports', {
      period: 'month',
      timeZone: 'Europe/Berlin',
      defaultLimit: 100,
    }),
    api_calls: await meter('api_calls', { period: 'day', timeZone: 'UTC', defaultLimit: null }),
    seats: await meter('seats', { period: 'rolling', rollingSeconds: 3600, defaultLimit: 10 }),
    builds: await meter('builds', { period: 'none', defaultLimit: 5 }),
    renders: await meter('renders', { period: 'hour', timeZone: 'Asia/Kolkata', defaultLimit: 10 }),
  }
  const entitlement = (code: string) =>
    Entitlement.create({ productId: product.id, code, name: `${code} feature` })
  const [exportPdf, sso, beta] = [
    await entitlement('export_pdf'),
    await entitlement('sso'),
    await entitlement('beta'),
  ]
  const template = await LicenseTemplate.create({
    productId: product.id,
    name: unique('Pro'),
    type: 'perpetual',
  })
  await template.related('entitlements').attach([exportPdf.id, sso.id])
  await template.related('meters').attach({ [meters.exports.id]: { limit: 50 } })

  const customer = await Customer.create({ name: unique('Acme') })
  const base = { productId: product.id, type: 'perpetual' as const }
  const l1 = await createLicense({
    ...base,
    templateId: template.id,
    customerId: customer.id,
    maxDevices: 2,
  })
  const l2 = await createLicense({ ...base, templateId: template.id })
  const l3 = await createLicense(base)
  const l4 = await createLicense({ ...base, templateId: template.id, status: 'suspended' })

  await db.table('license_entitlements').multiInsert([
    { license_id: l1.id, entitlement_id: beta.id, granted: true },
    { license_id: l1.id, entitlement_id: sso.id, granted: false },
    { license_id: l3.id, entitlement_id: sso.id, granted: true },
  ])
  await db.table('license_meter_limits').insert({
    license_id: l2.id,
    meter_id: meters.exports.id,
    limit: null,
  })

  await counter(l1, meters.exports, NOW, 45)
  await counter(l1, meters.exports, NOW.setZone('Europe/Berlin').minus({ months: 1 }), 500)
  await counter(l2, meters.exports, NOW, 400)
  await counter(l2, meters.api_calls, NOW, 1000)
  await counter(l3, meters.exports, NOW, 120)
  await counter(l3, meters.builds, NOW, 5)
  // The hour of a +05:30 zone began at :30 UTC; last hour's 10 are past.
  await counter(l2, meters.renders, NOW, 8)
  await counter(l2, meters.renders, NOW.minus({ hours: 1 }), 10)
  // An admin reset l2's rolling seats ten minutes ago: the 9 before it no longer count.
  await counter(l2, meters.seats, NOW, 0, ago({ minutes: 10 }))
  await recordEvent(l2, meters.seats, 9, ago({ minutes: 20 }))

  await recordEvent(l1, meters.exports, 20, ago({ hours: 1 }))
  await recordEvent(l1, meters.exports, 15, ago({ days: 2 }))
  await recordEvent(l1, meters.exports, 10, ago({ days: 3 }), { idempotency_key: '=HYPERLINK()' })
  await recordEvent(l1, meters.exports, 7, ago({ days: 40 }))
  await recordEvent(l3, meters.exports, 100, ago({ days: 1 }))
  await recordEvent(l3, meters.exports, 20, ago({ hours: 5 }), { over_limit: true })
  await recordEvent(l2, meters.api_calls, 1000, ago({ minutes: 30 }))
  await recordEvent(l3, meters.seats, 9, ago({ minutes: 30 }))
  await recordEvent(l3, meters.seats, 5, ago({ hours: 2 }))
  await recordEvent(l3, meters.builds, 5, ago({ days: 10 }))

  const hour = (at: DateTime) => at.startOf('hour').toJSDate()
  await db.table('license_usage_hourly').multiInsert([
    { license_id: l1.id, hour: hour(ago({ hours: 1 })), sessions: 2, devices: 2, heartbeats: 100 },
    { license_id: l1.id, hour: hour(ago({ days: 1 })), sessions: 1, devices: 1, heartbeats: 40 },
    { license_id: l3.id, hour: hour(ago({ hours: 1 })), sessions: 1, devices: 1, heartbeats: 10 },
    { license_id: l3.id, hour: hour(ago({ days: 45 })), sessions: 9, devices: 9, heartbeats: 999 },
  ])

  const device = (license: License) =>
    Device.create({ licenseId: license.id, fingerprint: fingerprint() })
  const [d1, d2, d3] = [await device(l1), await device(l1), await device(l3)]
  await endedSession(l1, d1, ago({ hours: 2 }), ago({ minutes: 50 }))
  await endedSession(l1, d2, ago({ hours: 1, minutes: 30 }), ago({ minutes: 40 }))
  await endedSession(l1, d1, ago({ days: 1, hours: 1 }), ago({ days: 1 }))
  await endedSession(l3, d3, ago({ hours: 1 }), ago({ minutes: 10 }))
  await endedSession(l3, d3, ago({ days: 60 }), ago({ days: 59 }))
  return { product, meters, l1, l2, l3, l4 }
}

/** The text of a page's element with a data attribute, tags stripped and spaces folded. */
function rowText(body: string, attribute: string, value: string) {
  const match = body.match(new RegExp(`<tr[^>]*${attribute}="${value}"[^>]*>([\\s\\S]*?)</tr>`))
  return match
    ? match[1]
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim()
    : null
}

function figure(body: string, name: string) {
  return body.match(new RegExp(`data-figure="${name}">([^<]*)<`))?.[1]
}

function tableOf(body: string, name: string) {
  return body.match(new RegExp(`<table data-table="${name}">([\\s\\S]*?)</table>`))?.[1] ?? ''
}

function csvRows(body: string) {
  return body.trim().split('\n')
}

test.group('Panel: usage analytics', (group) => {
  let seeded: Seeded
  group.setup(async () => {
    useFixedClock(NOW)
    seeded = await seed()
    return () => restoreClock()
  })

  test('a product’s page: totals, meters, top licenses and the most active', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const { product, l1, l3 } = seeded
    const page = await client.get(`/admin/analytics?product_id=${product.id}`)
    assert.equal(page.status, 200)
    assert.include(page.body, `Usage · ${product.name}`)
    assert.equal(figure(page.body, 'sessions'), '4', 'sessions open in the last 30 days')
    assert.equal(figure(page.body, 'devices'), '3')
    assert.equal(figure(page.body, 'heartbeats'), '150', 'the 45-day-old hour is out of range')
    assert.equal(figure(page.body, 'usageEvents'), '10')
    assert.include(page.body, 'busiest hour: 3 sessions')

    assert.equal(
      rowText(page.body, 'data-meter', 'exports'),
      'exports exports meter ' + product.name + ' 165 5 1'
    )
    assert.equal(
      rowText(page.body, 'data-meter', 'seats'),
      `seats seats meter ${product.name} 23 3 0`
    )

    const topExports = page.body.match(/data-top-meter="exports"[\s\S]*?<\/section>/)![0]
    assert.isBelow(
      topExports.indexOf(l3.key),
      topExports.indexOf(l1.key),
      'l3 (120) before l1 (45)'
    )
    const active = tableOf(page.body, 'active')
    assert.isBelow(active.indexOf(l1.key), active.indexOf(l3.key), 'l1 (140 beats) before l3 (10)')
    assert.include(active.replace(/\s+/g, ' '), '140')

    // The chart data: one point per day, the meters of the product.
    const chart = JSON.parse(
      page.body.match(/data-analytics="([^"]*)"/)![1].replaceAll('&quot;', '"')
    )
    assert.equal(chart.bucket, 'day')
    assert.lengthOf(chart.at, 30)
    assert.deepEqual(
      chart.meters.map((meter: { label: string }) => meter.label),
      ['api_calls', 'builds', 'exports', 'renders', 'seats']
    )
    assert.equal(chart.heartbeats.at(-1), 110)
    assert.equal(chart.sessions.at(-1), 3, 'the busiest hour of today')
  })

  test('licenses near or over a limit, each with its effective limit', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const { product, l1, l2, l3 } = seeded
    const page = await client.get(`/admin/analytics?product_id=${product.id}`)
    const limits = tableOf(page.body, 'limits')
    const states = [
      ...limits.matchAll(/data-limit="(\w+)" data-state="(\w+)"[\s\S]*?<code>([^<]+)<\/code>/g),
    ].map(([, meter, state, key]) => `${key} ${meter} ${state}`)
    assert.deepEqual(states, [
      `${l3.key} exports over`,
      `${l3.key} builds reached`,
      `${l1.key} exports near`,
      `${l3.key} seats near`,
      `${l2.key} renders near`,
    ])
    // l2: its own exports limit is unlimited, api_calls has none, its seats were reset.
    assert.notMatch(limits, new RegExp(`${l2.key}[\\s\\S]*?(exports|api_calls|seats)`))
    assert.include(rowText(limits, 'data-limit', 'exports')!, '120 100')
    assert.include(page.body, '45')
  })

  test('entitlements in use: template ∪ grants − withdrawals, and the usable ones', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const page = await client.get(`/admin/analytics?product_id=${seeded.product.id}`)
    assert.match(rowText(page.body, 'data-entitlement', 'export_pdf')!, / 3 2$/)
    assert.match(rowText(page.body, 'data-entitlement', 'sso')!, / 3 2$/)
    assert.match(rowText(page.body, 'data-entitlement', 'beta')!, / 1 1$/)
  })

  test('all products together list this product’s figures among the others', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const page = await client.get('/admin/analytics?range=7d')
    assert.equal(page.status, 200)
    assert.include(
      page.body,
      `<option value="${seeded.product.id}" >${seeded.product.name}</option>`
    )
    assert.include(page.body, seeded.l3.key)
    assert.include(page.body, `${seeded.product.name} · exports`)
  })

  test('a license’s page: current periods with limits, its charts and latest records', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const { l3 } = seeded
    const page = await client.get(`/admin/analytics/licenses/${l3.id}?range=24h`)
    assert.equal(page.status, 200)
    assert.include(page.body, `Usage · ${l3.key}`)
    const current = tableOf(page.body, 'current')
    const at = (moment: DateTime) => moment.toUTC().toFormat('yyyy-LL-dd HH:mm')
    const nextMonth = NOW.setZone('Europe/Berlin').startOf('month').plus({ months: 1 })
    assert.equal(
      rowText(current, 'data-limit', 'exports'),
      `exports exports meter 120 100 meter default 120% Over the limit ${at(nextMonth)}`
    )
    assert.equal(
      rowText(current, 'data-limit', 'builds'),
      'builds builds meter 5 5 meter default 100% Limit reached never'
    )
    assert.equal(
      rowText(current, 'data-limit', 'seats'),
      `seats seats meter 9 10 meter default 90% Near the limit ${at(ago({ minutes: -30 }))}`,
      'the rolling hour resets when its oldest counted record leaves it'
    )
    assert.equal(
      rowText(current, 'data-limit', 'api_calls'),
      `api_calls api_calls meter 0 unlimited meter default — OK ${at(NOW.plus({ days: 1 }).startOf('day'))}`
    )
    assert.equal(figure(page.body, 'heartbeats'), '10')
    assert.equal(figure(page.body, 'sessions'), '1')
    const recent = tableOf(page.body, 'recent')
    assert.isBelow(recent.indexOf('seats'), recent.indexOf('exports'), 'newest first')
    assert.include(recent, 'over the limit')

    const chart = JSON.parse(
      page.body.match(/data-analytics="([^"]*)"/)![1].replaceAll('&quot;', '"')
    )
    assert.equal(chart.bucket, 'hour')
    assert.lengthOf(chart.at, 24)
    const seats = chart.meters.find((meter: { label: string }) => meter.label === 'seats')
    assert.equal(
      seats.data.reduce((sum: number, value: number) => sum + value, 0),
      14
    )

    const products = await client.get(`/admin/products?q=${seeded.product.slug}`)
    assert.include(products.body, `href="/admin/analytics?product_id=${seeded.product.id}"`)
    const licensePage = await client.get(`/admin/licenses/${l3.id}`)
    assert.include(licensePage.body, `href="/admin/analytics/licenses/${l3.id}"`)
    assert.equal((await client.get('/admin/analytics/licenses/999999999999')).status, 404)
  })

  test('the figures CSV: a row per bucket with a column per meter', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const { product } = seeded
    const csv = await client.get(`/admin/analytics/figures.csv?range=7d&product_id=${product.id}`)
    assert.equal(csv.status, 200)
    assert.include(csv.headers.get('content-type')!, 'text/csv')
    assert.include(csv.headers.get('content-disposition')!, `usage-${product.slug}-`)
    const rows = csvRows(csv.body)
    const slug = product.slug
    assert.equal(
      rows[0],
      `day,sessions,devices,heartbeats,${slug}/api_calls,${slug}/builds,${slug}/exports,${slug}/renders,${slug}/seats`
    )
    assert.lengthOf(rows, 8)
    assert.equal(rows[7], `${NOW.startOf('day').toISO()},3,3,110,1000,0,40,0,23`)
    assert.equal(rows[6], `${ago({ days: 1 }).startOf('day').toISO()},1,1,40,0,0,100,0,0`)
  })

  test('the events CSV: every record of the range, oldest first, formulas defused', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const { product, l1 } = seeded
    const csv = await client.get(`/admin/analytics/events.csv?product_id=${product.id}`)
    const rows = csvRows(csv.body)
    assert.equal(
      rows[0],
      'at,license_key,product,meter,amount,over_limit,period_start,idempotency_key,api_key'
    )
    assert.lengthOf(rows, 11, 'ten records in 30 days; the 40-day-old one is out')
    assert.include(rows[1], `${ago({ days: 10 }).toISO()}`)
    const defused = rows.find((row) => row.includes(l1.key) && row.includes('HYPERLINK'))!
    assert.include(defused, `,'=HYPERLINK(),`)

    const ofLicense = await client.get(`/admin/analytics/events.csv?license_id=${l1.id}&range=365d`)
    assert.include(ofLicense.headers.get('content-disposition')!, `usage-events-${l1.key}-`)
    assert.lengthOf(csvRows(ofLicense.body), 5, 'its four records of the year')
  })

  test('the events CSV walks past its page size without losing or repeating rows', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const { l2, meters } = seeded
    // 12,345 records across a midnight, three at each moment: the export's
    // pages (5,000) and its days must neither lose nor repeat one.
    const midnight = ago({ days: 5 }).startOf('day')
    await db.rawQuery(
      `INSERT INTO usage_events (license_id, meter_id, amount, at, period_start)
       SELECT ?, ?, 1, ?::timestamptz + interval '1 hour' - (n / 3) * interval '1 second', ?
       FROM generate_series(1, 12345) AS n`,
      [l2.id, meters.api_calls.id, midnight.toJSDate(), midnight.toJSDate()]
    )
    const csv = await client.get(`/admin/analytics/events.csv?license_id=${l2.id}`)
    const rows = csvRows(csv.body).slice(1)
    assert.lengthOf(rows, 12_345 + 2, 'with its two records of the seed')
    const moments = rows.map((row) => row.split(',')[0])
    assert.deepEqual(moments, [...moments].sort(), 'oldest first')
  })

  test('filters: a custom range, and malformed fields fall back on their own', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const { product } = seeded
    const day = ago({ days: 1 }).toISODate()
    const custom = await client.get(
      `/admin/analytics?product_id=${product.id}&from=${day}&to=${day}&range=365d`
    )
    assert.equal(figure(custom.body, 'heartbeats'), '40', 'only yesterday')
    assert.include(custom.body, `name="from" value="${day}"`)
    assert.include(custom.body, 'one point per hour')

    const broken = await client.get(
      `/admin/analytics?product_id=${product.id}&range=banana&from=13/45`
    )
    assert.equal(broken.status, 200)
    assert.equal(figure(broken.body, 'heartbeats'), '150', 'the default 30 days of the product')
    const unknown = await client.get('/admin/analytics?product_id=abc')
    assert.equal(unknown.status, 200)
    assert.include(unknown.body, '<option value="">All products</option>')
  })

  test('in German, and only for admins who are logged in', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    await client.post('/admin/account/locale', { locale: 'de' })
    const page = await client.get(`/admin/analytics?product_id=${seeded.product.id}`)
    assert.include(page.body, 'Nahe am oder über dem Limit')
    assert.include(page.body, 'Genutzte Berechtigungen')
    assert.match(page.body, />\s*Nutzung\s*<\/a>/, 'the menu entry')
    const license = await client.get(`/admin/analytics/licenses/${seeded.l1.id}`)
    assert.include(license.body, 'Laufende Periode')

    const stranger = new PanelClient()
    for (const path of [
      '/admin/analytics',
      `/admin/analytics/licenses/${seeded.l1.id}`,
      '/admin/analytics/events.csv',
      '/admin/analytics/figures.csv',
    ]) {
      const response = await stranger.get(path)
      assert.equal(response.status, 302, path)
      assert.equal(response.location, '/admin/login', path)
    }
  })
})
