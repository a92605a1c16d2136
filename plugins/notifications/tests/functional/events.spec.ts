import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import ace from '@adonisjs/core/services/ace'
import app from '@adonisjs/core/services/app'
import emitter from '@adonisjs/core/services/emitter'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import { createLicense, createProduct, newApiKey, unique } from '#tests/support/fixtures'
import { loggedInPanel } from '#tests/support/panel'
import { restoreClock, useFixedClock } from '#tests/support/sessions'
import { createMeter, licenseFor } from '#tests/support/usage'
import { ExpiryWatch } from '../../services/expiry_watch.js'
import { HealthWatch } from '../../services/health_watch.js'
import { eventually, eventsAbout } from '../support.js'

const IMPORT_HEADER =
  'key,product,template,customer_id,customer_email,type,expiry_basis,status,max_devices,max_sessions,session_policy,template_overrides,entitlements_granted,entitlements_withdrawn,meter_limits,activated_at,expires_at,notes'

const asEventLicense = (license: { id: number; key: string; productId: number }) => ({
  id: license.id,
  key: license.key,
  productId: license.productId,
  customerId: null,
})

/** Lets the listeners of an unawaited emit finish, then reads what they recorded. */
async function settledEvents(type: string, licenseId: number, expected: number) {
  return eventually(async () => {
    const rows = await eventsAbout(type, licenseId)
    return rows.length >= expected ? rows : null
  })
}

test.group('notifications: the events the core and the checks announce', (group) => {
  group.each.teardown(() => restoreClock())

  test('a batch from license:generate is one license.created event', async ({ assert }) => {
    const product = await createProduct()
    // As `node ace.ts license:generate` runs it (its output kept in memory).
    const command = await ace.create(await ace.find('license:generate'), [
      '--product',
      product.slug,
      '--type',
      'perpetual',
      '--count',
      '3',
    ])
    command.ui.switchMode('raw')
    await command.exec()
    assert.equal(command.exitCode, 0)
    const licenses = await db.from('licenses').where('product_id', product.id).orderBy('id')
    assert.lengthOf(licenses, 3)
    const [event] = await settledEvents('license.created', licenses[0].id, 1)
    assert.equal(event.data.count, 3)
    assert.deepEqual(
      event.data.licenses.map((license: { id: number; key: string }) => [license.id, license.key]),
      licenses.map((license) => [Number(license.id), license.key])
    )
    assert.equal(event.data.batch_id, licenses[0].batch_id)
    assert.equal(event.panel_path, '/admin/licenses')
  })

  test('licenses imported from CSV are one license.created event; a dry run none', async ({
    assert,
  }) => {
    const product = await createProduct()
    const keys = [unique('imp-a').toUpperCase(), unique('imp-b').toUpperCase()]
    const file = join(tmpdir(), `${unique('import')}.csv`)
    await writeFile(
      file,
      `${IMPORT_HEADER}\n${keys.map((key) => `${key},${product.slug},,,,perpetual,,,,,,,,,,,,`).join('\n')}\n`
    )
    const run = async (argv: string[]) => {
      const command = await ace.create(await ace.find('license:import'), argv)
      command.ui.switchMode('raw')
      await command.exec()
      return command
    }
    assert.equal((await run([file, '--dry-run'])).exitCode, 0)
    assert.equal((await run([file])).exitCode, 0)
    const imported = await db.from('licenses').whereIn('key', keys).orderBy('id')
    assert.lengthOf(imported, 2)
    const events = await settledEvents('license.created', imported[0].id, 1)
    assert.lengthOf(events, 1)
    assert.deepEqual(
      events[0].data.licenses.map((license: { key: string }) => license.key),
      keys
    )
    assert.isNull(events[0].data.batch_id)
  })

  test('a bulk suspension is one event; suspending again announces nothing', async ({ assert }) => {
    const licenses = await Promise.all([createLicense(), createLicense(), createLicense()])
    const { client } = await loggedInPanel('owner')
    const ids = licenses.map((license) => license.id)
    await client.get('/admin/licenses')
    await client.post('/admin/licenses/bulk', { 'action': 'suspend', 'ids[]': ids })
    const [event] = await settledEvents('license.suspended', ids[0], 1)
    assert.equal(event.data.count, 3)
    assert.sameMembers(
      event.data.licenses.map((license: { id: number }) => license.id),
      ids
    )
    await client.get('/admin/licenses')
    await client.post('/admin/licenses/bulk', { 'action': 'suspend', 'ids[]': ids })
    await client.post('/admin/licenses/bulk', { 'action': 'revoke', 'ids[]': [ids[0]] })
    await settledEvents('license.revoked', ids[0], 1)
    assert.lengthOf(await eventsAbout('license.suspended', ids[0]), 1)
  })

  test('a usage record refused at its limit is announced', async ({ client, assert }) => {
    const apiKey = await newApiKey()
    const meter = await createMeter({ defaultLimit: 2, period: 'month' })
    const license = await licenseFor(meter)
    const record = (amount: number) =>
      client
        .post('/api/license/usage')
        .header('x-api-key', apiKey)
        .json({ license_key: license.key, meter: meter.code, amount })
    ;(await record(2)).assertStatus(201)
    ;(await record(1)).assertStatus(409)
    const [event] = await settledEvents('usage.limit_reached', license.id, 1)
    assert.include(event.data, { meter: meter.code, limit: 2, used: 2 })
    assert.equal(event.data.license.key, license.key)
    // Refused again within the hour: no second notification; another license gets its own.
    ;(await record(1)).assertStatus(409)
    const second = await licenseFor(meter)
    ;(
      await client
        .post('/api/license/usage')
        .header('x-api-key', apiKey)
        .json({ license_key: second.key, meter: meter.code, amount: 3 })
    ).assertStatus(409)
    await settledEvents('usage.limit_reached', second.id, 1)
    assert.lengthOf(await eventsAbout('usage.limit_reached', license.id), 1)
  })

  test('a limit reached is sent at most once per license per hour', async ({ assert }) => {
    const [first, second] = await Promise.all([createLicense(), createLicense()])
    const reached = (license: typeof first, limit: 'devices' | 'sessions') =>
      emitter.emit('license:limit_reached', {
        license: asEventLicense(license),
        limit,
        max: 1,
        fingerprintDigest: null,
        ip: '198.51.100.4',
      })
    await reached(first, 'sessions')
    await reached(first, 'devices')
    await Promise.all([reached(first, 'sessions'), reached(first, 'sessions')])
    await reached(second, 'sessions')
    assert.lengthOf(await eventsAbout('license.limit_reached', first.id), 1)
    assert.lengthOf(await eventsAbout('license.limit_reached', second.id), 1)
    const ttl = await redis.ttl(`notifications:limit_reached:${first.id}`)
    assert.isAbove(ttl, 3500)
    assert.isAtMost(ttl, 3600)
    // Once the hour is over (the key expired), the next one is sent.
    await redis.del(`notifications:limit_reached:${first.id}`)
    await reached(first, 'sessions')
    assert.lengthOf(await eventsAbout('license.limit_reached', first.id), 2)
  })

  test('expiring and expired licenses are announced once per expiry date', async ({ assert }) => {
    const now = DateTime.fromISO('2026-12-04T06:23:00Z', { zone: 'utc' })
    const clock = useFixedClock(now)
    const at = (days: number) => now.plus({ days })
    const soon = await createLicense({ type: '1m', expiryBasis: 'creation', expiresAt: at(3) })
    const later = await createLicense({ type: '1m', expiryBasis: 'creation', expiresAt: at(20) })
    const expired = await createLicense({ type: '1m', expiryBasis: 'creation', expiresAt: at(-2) })
    const longAgo = await createLicense({ type: '1m', expiryBasis: 'creation', expiresAt: at(-30) })
    const suspended = await createLicense({
      type: '1m',
      expiryBasis: 'creation',
      expiresAt: at(2),
      status: 'suspended',
    })
    const watch = await app.container.make(ExpiryWatch)
    await watch.run()
    const [expiring] = await settledEvents('license.expiring', soon.id, 1)
    assert.include(expiring.data, { days_left: 3, expires_at: at(3).toJSDate().toISOString() })
    const [ended] = await settledEvents('license.expired', expired.id, 1)
    assert.equal(ended.data.expired_at, at(-2).toJSDate().toISOString())
    for (const quiet of [later, longAgo, suspended]) {
      assert.lengthOf(await eventsAbout('license.expiring', quiet.id), 0)
      assert.lengthOf(await eventsAbout('license.expired', quiet.id), 0)
    }

    // The next day's run announces nothing new.
    clock.advance({ days: 1 })
    await watch.run()
    // `later` is now 19 days off; `soon` was announced already.
    assert.lengthOf(await eventsAbout('license.expiring', soon.id), 1)
    assert.lengthOf(await eventsAbout('license.expired', expired.id), 1)

    // Renewed: a new expiry date is announced again when it nears.
    await db
      .from('licenses')
      .where('id', soon.id)
      .update({ expires_at: at(40).toJSDate() })
    clock.set(at(35))
    // Events older than 30 days are pruned (the first notices among them).
    assert.include(await watch.run(), { expiring: 1, expired: 0 })
    const [renewed] = await settledEvents('license.expiring', soon.id, 1)
    assert.include(renewed.data, { days_left: 5, expires_at: at(40).toJSDate().toISOString() })
    assert.lengthOf(
      await db
        .from('notifications_expiry_notices')
        .where({ license_id: soon.id, kind: 'expiring' }),
      2
    )
  })

  test('an overdue backup and a silent worker are announced when they begin', async ({
    assert,
  }) => {
    const clock = useFixedClock(DateTime.utc().startOf('second'))
    await db.from('notifications_conditions').delete()
    await db.from('backups').delete()
    await redis.del('jobs:workers')
    const watch = await app.container.make(HealthWatch)
    const overdueEvents = () => db.from('notifications_events').where('type', 'backup.overdue')
    const silentEvents = () => db.from('notifications_events').where('type', 'worker.silent')
    const before = {
      overdue: (await overdueEvents()).length,
      silent: (await silentEvents()).length,
    }

    assert.include(await watch.check(), { backupRaised: true, workerRaised: true })
    assert.include(await watch.check(), { backupRaised: false, workerRaised: false })
    await eventually(async () => (await silentEvents()).length === before.silent + 1)
    assert.lengthOf(await overdueEvents(), before.overdue + 1)

    // A backup and a worker beat end both conditions; silence later raises it anew.
    await db.table('backups').insert({
      name: 'keyward-test.tar',
      status: 'succeeded',
      trigger: 'cli',
      finished_at: clock.now().toJSDate(),
    })
    await redis.hset('jobs:workers', 'test-host:1', String(clock.now().toMillis()))
    assert.include(await watch.check(), {
      backupOverdue: false,
      workerSilent: false,
      backupRaised: false,
      workerRaised: false,
    })
    clock.advance({ hours: 1 })
    assert.include(await watch.check(), { backupOverdue: false, workerRaised: true })
    const silent = await eventually(async () => {
      const rows = await silentEvents()
      return rows.length === before.silent + 2 ? rows : null
    })
    assert.equal(
      silent.at(-1).data.last_beat_at,
      clock.now().minus({ hours: 1 }).toJSDate().toISOString()
    )
    await redis.del('jobs:workers')
  })
})
