import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import { newApiKey } from '#tests/support/fixtures'
import { auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import { restoreClock, useFixedClock } from '#tests/support/sessions'
import { createMeter, licenseFor, setOwnLimit, templateLimiting } from '#tests/support/usage'
import { logsOf, runCommand } from '#tests/support/commands'
import UsageShow from '../../app/commands/usage_show.ts'
import UsageReset from '../../app/commands/usage_reset.ts'

let apiKey: string

async function record(client: any, license: { key: string }, meter: { code: string }, amount = 1) {
  return client
    .post('/api/license/usage')
    .header('x-api-key', apiKey)
    .json({ license_key: license.key, meter: meter.code, amount })
}

async function usageOf(client: any, license: { key: string }) {
  const response = await client.get(`/api/license/usage/${license.key}`).header('x-api-key', apiKey)
  return response.body().meters as Array<Record<string, any>>
}

test.group('The meters of a license page', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })
  group.each.teardown(() => restoreClock())

  test('each meter with used, limit and where it comes from, and when it resets', async ({
    assert,
    client: api,
  }) => {
    useFixedClock(DateTime.fromISO('2026-12-04T10:00:00.000Z'))
    const { client } = await loggedInPanel('admin')
    const exports = await createMeter({ code: 'exports', name: 'PDF exports', defaultLimit: 10 })
    await createMeter({
      productId: exports.productId,
      code: 'calls',
      name: 'API calls',
      period: 'rolling',
      rollingSeconds: 3600,
      defaultLimit: null,
    })
    const template = await templateLimiting(exports, 20)
    const license = await licenseFor(exports, { templateId: template.id })
    await record(api, license, exports, 7)

    const page = await client.get(`/admin/licenses/${license.id}`)
    assert.equal(page.status, 200)
    const rowOf = (code: string) =>
      page.body.split('<tr>').find((row) => row.includes(`<code>${code}</code>`))!
    assert.include(page.body, '<h2 id="meters">Meters</h2>')
    assert.include(rowOf('exports'), 'PDF exports')
    assert.include(rowOf('exports'), 'monthly <small>(UTC)</small>')
    assert.match(rowOf('exports'), /7\s*<br \/><small>13 left<\/small>/)
    assert.include(rowOf('exports'), '20<br /><small>from the template</small>')
    assert.include(rowOf('exports'), '2027-01-01 00:00')
    assert.include(rowOf('exports'), `action="/admin/licenses/${license.id}/meters/exports/limit"`)
    assert.include(rowOf('exports'), `action="/admin/licenses/${license.id}/meters/exports/reset"`)
    assert.include(rowOf('calls'), 'the last 3600 s')
    assert.include(rowOf('calls'), 'unlimited<br /><small>the meter’s default</small>')
    assert.include(rowOf('calls'), 'never')

    const empty = await licenseFor(await createMeter())
    await db.from('meters').where('product_id', empty.productId).delete()
    assert.include(
      (await client.get(`/admin/licenses/${empty.id}`)).body,
      'The product has no meters yet.'
    )
  })

  test('in German too', async ({ assert }) => {
    const { client, admin } = await loggedInPanel('admin')
    admin.locale = 'de'
    await admin.save()
    const meter = await createMeter({ period: 'day', timeZone: 'Europe/Berlin' })
    const license = await licenseFor(meter)
    const page = await client.get(`/admin/licenses/${license.id}`)
    assert.include(page.body, '<h2 id="meters">Zähler</h2>')
    assert.include(page.body, 'täglich <small>(Europe/Berlin)</small>')
    assert.include(page.body, 'Standard des Zählers')
    assert.include(page.body, 'Vorlage / Zähler folgen')
  })

  test('the license own limit: a number, unlimited, back to the default; audited, validated, CSRF', async ({
    assert,
    client: api,
  }) => {
    const { client, admin } = await loggedInPanel('admin')
    const meter = await createMeter({ defaultLimit: 2 })
    const license = await licenseFor(meter)
    const url = `/admin/licenses/${license.id}/meters/${meter.code}/limit`
    const limitNow = async () => (await usageOf(api, license))[0].limit
    await client.get(`/admin/licenses/${license.id}`)
    const since = await lastAuditId()

    const saved = await client.post(url, { mode: 'limit', limit: 5 })
    assert.equal(saved.status, 302)
    assert.equal(saved.location, `/admin/licenses/${license.id}#meters`)
    assert.equal(await limitNow(), 5)
    const page = await client.get(`/admin/licenses/${license.id}`)
    assert.include(page.body, `The license’s own limit of ${meter.code} was saved.`)
    assert.include(page.body, 'this license’s own')

    await client.post(url, { mode: 'unlimited' })
    assert.isNull(await limitNow())
    await client.get(`/admin/licenses/${license.id}`)
    await client.post(url, { mode: 'unlimited' })
    assert.include((await client.get(`/admin/licenses/${license.id}`)).body, 'Nothing changed')
    await client.post(url, { mode: 'default' })
    assert.equal(await limitNow(), 2)

    await client.get(`/admin/licenses/${license.id}`)
    for (const invalid of [
      { mode: 'limit' },
      { mode: 'limit', limit: -1 },
      { mode: 'sometimes' },
    ]) {
      const refused = await client.post(url, invalid)
      assert.equal(refused.status, 302, JSON.stringify(invalid))
    }
    await client.post(url, { mode: 'limit', limit: 9 }, { csrf: false })
    const unknown = await client.post(`/admin/licenses/${license.id}/meters/no_such/limit`, {
      mode: 'unlimited',
    })
    assert.equal(unknown.location, `/admin/licenses/${license.id}#meters`)
    assert.include(
      (await client.get(`/admin/licenses/${license.id}`)).body,
      'The license’s product has no meter “no_such”.'
    )
    assert.equal(await limitNow(), 2)

    const audit = await auditRowsAfter(since)
    assert.deepEqual(
      audit.map((row) => [row.action, row.actorId, row.before, row.after]),
      [
        [
          'license.meter_limit_changed',
          String(admin.id),
          { meter: meter.code, limit_mode: 'default', limit: null },
          { meter: meter.code, limit_mode: 'limit', limit: 5 },
        ],
        [
          'license.meter_limit_changed',
          String(admin.id),
          { meter: meter.code, limit_mode: 'limit', limit: 5 },
          { meter: meter.code, limit_mode: 'unlimited', limit: null },
        ],
        [
          'license.meter_limit_changed',
          String(admin.id),
          { meter: meter.code, limit_mode: 'unlimited', limit: null },
          { meter: meter.code, limit_mode: 'default', limit: null },
        ],
      ]
    )
  })

  test('reset starts the current period again from zero; audited; the events stay', async ({
    assert,
    client: api,
  }) => {
    const { client, admin } = await loggedInPanel('admin')
    const meter = await createMeter({ defaultLimit: 3 })
    const license = await licenseFor(meter)
    await record(api, license, meter, 3)
    ;(await record(api, license, meter)).assertStatus(409)
    await client.get(`/admin/licenses/${license.id}`)
    const since = await lastAuditId()

    const reset = await client.post(`/admin/licenses/${license.id}/meters/${meter.code}/reset`)
    assert.equal(reset.location, `/admin/licenses/${license.id}#meters`)
    assert.include(
      (await client.get(`/admin/licenses/${license.id}`)).body,
      `${meter.code} starts again from zero for this license.`
    )
    assert.containsSubset((await usageOf(api, license))[0], { used: 0, remaining: 3 })
    ;(await record(api, license, meter)).assertStatus(201)
    const events = await db.from('usage_events').where({ license_id: license.id })
    assert.lengthOf(events, 2)

    const [row] = await auditRowsAfter(since)
    assert.equal(row.action, 'usage.reset')
    assert.equal(row.actorId, String(admin.id))
    assert.deepEqual(row.before, { meter: meter.code, used: 3, overage: 0 })
    assert.containsSubset(row.after!, { meter: meter.code, used: 0 })
  })
})

test.group('usage:show and usage:reset', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })
  group.each.teardown(() => restoreClock())

  test('usage:show prints each meter; --json prints the API answer', async ({
    assert,
    client: api,
  }) => {
    const meter = await createMeter({ code: 'exports', defaultLimit: 10 })
    const license = await licenseFor(meter)
    await setOwnLimit(license, meter, 12)
    await record(api, license, meter, 4)

    const table = await runCommand(UsageShow, [license.key])
    assert.equal(table.exitCode ?? 0, 0)
    assert.match(logsOf(table), /exports.*month.*4.*12.*8/)

    const json = await runCommand(UsageShow, [license.key.toLowerCase(), '--json'])
    const printed = JSON.parse(logsOf(json))
    assert.deepEqual(printed, { license_key: license.key, meters: await usageOf(api, license) })

    const missing = await runCommand(UsageShow, ['NOPE-NOPE'])
    assert.equal(missing.exitCode, 1)
    assert.include(logsOf(missing), 'No license has the key "NOPE-NOPE"')
    const invalid = await runCommand(UsageShow, ['!!'])
    assert.equal(invalid.exitCode, 1)
  })

  test('usage:reset zeroes the period, audited as the command line; a rolling window too', async ({
    assert,
    client: api,
  }) => {
    const clock = useFixedClock(DateTime.fromISO('2026-12-04T10:00:00.000Z'))
    const monthly = await createMeter({ defaultLimit: 5 })
    const rolling = await createMeter({
      productId: monthly.productId,
      period: 'rolling',
      rollingSeconds: 3600,
      defaultLimit: 2,
    })
    const license = await licenseFor(monthly)
    await record(api, license, monthly, 5)
    await record(api, license, rolling, 2)
    ;(await record(api, license, rolling)).assertStatus(409)
    const since = await lastAuditId()

    clock.advance({ minutes: 1 })
    for (const meter of [monthly, rolling]) {
      const command = await runCommand(UsageReset, [license.key, meter.code])
      assert.equal(command.exitCode ?? 0, 0)
      assert.include(logsOf(command), `${meter.code} of ${license.key} starts again from zero`)
    }
    const standings = await usageOf(api, license)
    assert.isTrue(standings.every((standing) => standing.used === 0))
    clock.advance({ minutes: 1 })
    assert.containsSubset((await record(api, license, rolling)).body(), { used: 1 })
    assert.containsSubset((await record(api, license, monthly)).body(), { used: 1 })

    const audit = await auditRowsAfter(since)
    assert.deepEqual(
      audit.map((row) => [row.action, row.actorType, row.before]),
      [
        ['usage.reset', 'cli', { meter: monthly.code, used: 5, overage: 0 }],
        ['usage.reset', 'cli', { meter: rolling.code, used: 2, overage: 0 }],
      ]
    )

    const unknown = await runCommand(UsageReset, [license.key, 'no_such'])
    assert.equal(unknown.exitCode, 1)
    assert.include(logsOf(unknown), 'The product has no meter "no_such"')
    const invalid = await runCommand(UsageReset, [license.key, 'Not-A-Code'])
    assert.equal(invalid.exitCode, 1)
    assert.include(logsOf(invalid), 'The meter is its code')
  })
})
