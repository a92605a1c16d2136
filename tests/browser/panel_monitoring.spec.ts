import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import Backup from '#models/backup'
import Metrics from '#services/metrics'
import MonitoringSampler from '#services/monitoring/sampler'
import MonitoringStore from '#services/monitoring/store'
import ServiceHealth from '#services/service_health'
import WorkerPresence from '#services/worker_presence'
import { readmeScreenshot, signedInPage } from '#tests/support/browser'
import { loggedInPanel } from '#tests/support/panel'
import { baseUrl, createLicense, newApiKey, unique } from '#tests/support/fixtures'

/** The README's picture of the page (readmeScreenshot). */
const README_SCREENSHOT = 'docs/images/monitoring.png'

/** Real requests to the test server: lookups of a license, probes, unknown paths, a wrong key. */
async function traffic(apiKey: string, licenseKey: string, lookups: number, notFound: number) {
  const requests: Promise<Response>[] = []
  for (let index = 0; index < lookups; index++) {
    requests.push(
      fetch(`${baseUrl()}/api/license/info/${licenseKey}`, { headers: { 'X-API-Key': apiKey } })
    )
    if (index % 3 === 0) requests.push(fetch(`${baseUrl()}/health`))
  }
  for (let index = 0; index < notFound; index++) {
    requests.push(fetch(`${baseUrl()}/${unique('missing')}`))
    requests.push(fetch(`${baseUrl()}/api/stats`, { headers: { 'X-API-Key': 'wrong' } }))
  }
  const responses = await Promise.all(requests)
  await Promise.all(responses.map((response) => response.arrayBuffer()))
}

test.group('Panel in a browser: monitoring', () => {
  test('the charts draw and a live update brings new figures', async ({ visit, assert }) => {
    const sampler = await app.container.make(MonitoringSampler)
    const { page } = await signedInPage(visit, 'admin')
    await page.getByRole('link', { name: 'Monitoring' }).click()
    await page.waitForURL('**/admin/monitoring')
    // Page-side code as strings: the test project is compiled without the DOM's types.
    await page.waitForFunction('window.keywardMonitoringCharts?.latency')

    // Both canvases belong to a Chart.js instance.
    const charts = await page.evaluate(
      `['requests-chart', 'latency-chart'].map(
        (id) => window.Chart.getChart(document.getElementById(id))?.config.type ?? null
      )`
    )
    assert.deepEqual(charts, ['line', 'line'])
    await page.getByRole('img', { name: 'Request rate and errors, last hour' }).waitFor()

    // Traffic, a sample, and the page's next poll shows it without a reload.
    const requests = page.locator('[data-figure="requests"]')
    const before = Number(await requests.textContent())
    const license = await createLicense({ type: 'perpetual' })
    await traffic(await newApiKey(), license.key, 12, 3)
    assert.equal(await sampler.sample(), 'written')
    await page.evaluate('window.keywardMonitoringRefresh()')
    await page.waitForFunction(
      `Number(document.querySelector('[data-figure="requests"]').textContent) > ${before}`
    )
    assert.isAtLeast(Number(await requests.textContent()), before + 12 + 4 + 6)
    const pointsDrawn = await page.evaluate<number>(
      `window.keywardMonitoringCharts.requests.data.datasets[0].data
        .filter((value) => value !== null).length`
    )
    assert.isAtLeast(pointsDrawn, 1)
  })

  /**
   * The page after an hour of traffic: the hour before is filled with real
   * requests to the test server, each minute's sampled into that minute's
   * bucket by a sampler on the app's own registry whose clock is set back.
   */
  test('an hour of traffic draws a point a minute; the screenshot shows it', async ({
    visit,
    assert,
    cleanup,
  }) => {
    const [metrics, store, health] = await Promise.all([
      app.container.make(Metrics),
      app.container.make(MonitoringStore),
      app.container.make(ServiceHealth),
    ])
    const license = await createLicense({ type: 'perpetual' })
    const apiKey = await newApiKey()
    const { client: panel } = await loggedInPanel('admin')
    // Its first sample holds everything since the process started: outside the window.
    let at = Date.now() - 3 * 60 * 60_000
    const backdated = new MonitoringSampler(metrics.registry, store, {
      intervalMs: 10_000,
      processId: 'web-2',
      now: () => at,
    })
    await backdated.sample()
    for (let minute = 59; minute >= 1; minute--) {
      at = Date.now() - minute * 60_000
      const wave = Math.round(25 + 15 * Math.sin(minute / 7) + (minute % 5))
      await traffic(apiKey, license.key, wave, minute % 4 === 0 ? 2 : 0)
      if (minute === 23 || minute === 22) {
        // A short Redis hiccup: the panel answers 503 while it is known to be down.
        health.markDown('redis', 'screenshot')
        for (let index = 0; index < 3; index++) await panel.get('/admin')
        health.markUp('redis')
      }
      await backdated.sample()
    }
    at = Date.now()
    await traffic(apiKey, license.key, 8, 1)
    await backdated.sample()

    const presence = new WorkerPresence()
    await presence.beat('jobs-1:4242')
    await presence.recordRun({ name: 'sessions:sweep', durationMs: 8.4 })
    await presence.recordRun({ name: 'usage:hourly', durationMs: 41.2 })
    await presence.recordRun({ name: 'heartbeats:partitions', durationMs: 120.5 })
    await Backup.create({
      name: `keyward-${DateTime.utc().toFormat('yyyyLLdd')}-030000.tar.enc`,
      status: 'succeeded',
      trigger: 'schedule',
      progress: 100,
      sizeBytes: 18_431_223,
      encrypted: true,
      finishedAt: DateTime.utc().minus({ hours: 7 }),
    })

    const { page } = await signedInPage(visit, 'admin')
    await page.goto('/admin/monitoring')
    await page.waitForFunction('window.keywardMonitoringCharts?.latency')
    const minutesDrawn = await page.evaluate<number>(
      `window.keywardMonitoringCharts.requests.data.datasets[0].data
        .filter((value) => value !== null).length`
    )
    assert.isAtLeast(minutesDrawn, 59)

    assert.isAbove(await readmeScreenshot(page, README_SCREENSHOT, cleanup), 20_000)
  })
})
