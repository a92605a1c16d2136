import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Device from '#models/device'
import License from '#models/license'
import LicenseTemplate from '#models/license_template'
import { readmeScreenshot, signedInPage } from '#tests/support/browser'
import { baseUrl, createProduct, fingerprint, newApiKey, unique } from '#tests/support/fixtures'
import { restoreClock, useFixedClock } from '#tests/support/sessions'
import { endedSession } from '#tests/support/usage'

/** The README's picture of a license's usage page (readmeScreenshot). */
const README_SCREENSHOT = 'docs/images/usage.png'

/** A usage record through the client API, as a program would send it. */
async function recordUsage(apiKey: string, licenseKey: string, meter: string, amount: number) {
  const response = await fetch(`${baseUrl()}/api/license/usage`, {
    method: 'POST',
    headers: { 'X-API-Key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ license_key: licenseKey, meter, amount }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

test.group('Panel in a browser: usage', () => {
  test('a template with an entitlement and a meter, a batch from it, its usage on the license’s usage page', async ({
    visit,
    assert,
    cleanup,
  }) => {
    const product = await createProduct()
    const { page } = await signedInPage(visit, 'admin')

    // The product's catalogue: an entitlement, a daily meter, a template with both.
    await page.goto(`/admin/products/${product.id}/catalogue`)
    await page.getByRole('link', { name: 'New entitlement' }).click()
    await page.getByLabel('Code', { exact: true }).fill('export_pdf')
    await page.getByLabel('Name', { exact: true }).fill('Export to PDF')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.waitForURL(`**/admin/products/${product.id}/catalogue`)

    await page.getByRole('link', { name: 'New meter' }).click()
    await page.getByLabel('Code', { exact: true }).fill('exports')
    await page.getByLabel('Name', { exact: true }).fill('Exports')
    await page.getByLabel('Period', { exact: true }).selectOption('day')
    await page.getByLabel('Default limit', { exact: true }).fill('20')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.waitForURL(`**/admin/products/${product.id}/catalogue`)

    const templateName = unique('Pro')
    await page.getByRole('link', { name: 'New template' }).click()
    await page.getByLabel('Name', { exact: true }).fill(templateName)
    await page.getByLabel('Type', { exact: true }).fill('perpetual')
    await page.getByLabel('Max devices', { exact: true }).fill('2')
    await page.getByRole('checkbox', { name: /export_pdf/ }).check()
    await page.locator('#meter-exports-mode').selectOption('limited')
    await page.locator('#meter-exports-limit').fill('50')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.waitForURL(`**/admin/products/${product.id}/catalogue`)
    const template = await LicenseTemplate.query()
      .where('product_id', product.id)
      .where('name', templateName)
      .firstOrFail()

    // A batch of three from the template.
    await page
      .getByRole('row', { name: new RegExp(templateName) })
      .getByRole('link', { name: 'Issue licenses' })
      .click()
    await page.getByLabel('How many').fill('3')
    await page.getByRole('button', { name: 'Create licenses' }).click()
    const keys = await page.getByTestId('created-keys').locator('code').allTextContents()
    assert.lengthOf(keys, 3)
    const licenses = await License.query().whereIn('key', keys)
    assert.isTrue(licenses.every((license) => license.templateId === template.id))
    const license = licenses.find((candidate) => candidate.key === keys[0])!

    // Two weeks of exports through the API, each day's at its own moment:
    // the clock the server judges by is the test's. A day's records stay
    // far below the limit (two days' together too, should a run straddle
    // midnight); today ends near the template's limit of 50, which refuses
    // what would go past it.
    const apiKey = await newApiKey()
    const now = DateTime.utc().startOf('minute')
    const clock = useFixedClock(now)
    cleanup(() => restoreClock())
    let recorded = 0
    for (let day = 13; day >= 0; day--) {
      const amounts = [2 + ((day * 7) % 7), 1 + ((day * 5) % 6), 3 + ((day * 3) % 5)]
      for (const [index, amount] of amounts.entries()) {
        clock.set(now.minus({ days: day, minutes: 10 * (amounts.length - index) }))
        const answer = await recordUsage(apiKey, license.key, 'exports', amount)
        assert.equal(answer.status, 201, JSON.stringify(answer.body))
        recorded += amount
      }
    }
    clock.set(now.minus({ minutes: 5 }))
    const soFar = (await recordUsage(apiKey, license.key, 'exports', 1)).body.used as number
    const today = await recordUsage(apiKey, license.key, 'exports', 42 - soFar)
    assert.equal(today.status, 201)
    recorded += 1 + 42 - soFar
    assert.equal(today.body.used, 42)
    assert.equal(today.body.limit, 50)
    const refused = await recordUsage(apiKey, license.key, 'exports', 50)
    assert.equal(refused.status, 409)
    clock.set(now)

    // Two weeks of sessions on the license's two devices, and the hourly
    // figures the usage:hourly job would write from them (a heartbeat a minute).
    const devices = [
      await Device.create({ licenseId: license.id, fingerprint: fingerprint(), name: 'Office PC' }),
      await Device.create({ licenseId: license.id, fingerprint: fingerprint(), name: 'Laptop' }),
    ]
    const spans: { device: Device; from: DateTime; to: DateTime }[] = []
    for (let day = 13; day >= 1; day--) {
      const date = now.minus({ days: day }).startOf('day')
      const span = (device: Device, from: number, to: number) =>
        spans.push({ device, from: date.plus({ hours: from }), to: date.plus({ hours: to }) })
      if (date.weekday > 5) {
        span(devices[1], 10, 11.5)
      } else {
        span(devices[0], 8, 12.5)
        span(devices[1], 11 + (day % 3), 17)
        if (day % 4 === 0) span(devices[0], 14, 16)
      }
    }
    for (const { device, from, to } of spans) await endedSession(license, device, from, to)
    const hourly = []
    for (let at = now.minus({ days: 14 }).startOf('hour'); at < now; at = at.plus({ hours: 1 })) {
      const end = at.plus({ hours: 1 })
      const open = spans.filter((span) => span.from < end && span.to > at)
      if (open.length === 0) continue
      const minutes = open.reduce(
        (sum, span) =>
          sum + DateTime.min(span.to, end).diff(DateTime.max(span.from, at), 'minutes').minutes,
        0
      )
      hourly.push({
        license_id: license.id,
        hour: at.toJSDate(),
        sessions: open.length,
        devices: new Set(open.map((span) => span.device.id)).size,
        heartbeats: Math.round(minutes),
      })
    }
    await db.table('license_usage_hourly').multiInsert(hourly)

    // From the license's page to its usage page.
    await page.goto(`/admin/licenses/${license.id}`)
    await page.getByRole('main').getByRole('link', { name: 'Usage', exact: true }).click()
    await page.waitForURL(`**/admin/analytics/licenses/${license.id}`)
    await page.waitForFunction('window.keywardAnalyticsCharts?.meters')

    const current = page.locator('[data-table="current"] tr[data-limit="exports"]')
    await current.waitFor()
    const cells = (await current.locator('td').allInnerTexts()).map((text) => text.trim())
    assert.equal(cells[1], '42')
    assert.match(cells[2], /^50\s+template$/)
    assert.equal(await current.getAttribute('data-state'), 'near')

    const charted = await page.evaluate<number>(
      `window.keywardAnalyticsCharts.meters.data.datasets[0].data.reduce((sum, value) => sum + value, 0)`
    )
    assert.equal(charted, recorded, 'every recorded amount is on the meter chart')
    const activityPoints = await page.evaluate<number>(
      `window.keywardAnalyticsCharts.activity.data.datasets[0].data.filter((value) => value > 0).length`
    )
    assert.isAtLeast(activityPoints, 13)
    assert.equal(await page.locator('[data-figure="sessions"]').textContent(), String(spans.length))
    assert.equal(await page.locator('[data-figure="devices"]').textContent(), '2')

    assert.isAbove(await readmeScreenshot(page, README_SCREENSHOT, cleanup), 20_000)
  })
})
