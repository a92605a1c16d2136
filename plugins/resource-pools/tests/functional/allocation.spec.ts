import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { cliActor } from '#plugin_host/api'
import { createLicense, createProduct, unique } from '#tests/support/fixtures'
import { auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import { restoreClock, useFixedClock } from '#tests/support/sessions'
import { templateEntitling } from '#tests/support/entitlements'
import { waitUntil } from '#tests/support/faults'
import { logsOf, runCommand } from '#tests/support/commands'
import ResourceAllocate from '../../commands/resource_allocate.js'
import ResourceRelease from '../../commands/resource_release.js'
import returnQuarantined from '../../jobs/return_quarantined.js'
import reconcile from '../../jobs/reconcile.js'
import ResourceAllocator from '../../services/allocator.js'
import { addResources, historyOf, privateType, resourcesOf, uniqueDomain } from '../support.js'

const jobContext = () => ({ app, scheduledAt: new Date() })
const allocator = () => app.container.make(ResourceAllocator)

test.group('resource-pools: allocation', (group) => {
  group.each.teardown(() => restoreClock())

  test('all or nothing: when one type is short nothing is taken, and the admin is told what', async ({
    assert,
    cleanup,
  }) => {
    const first = await privateType()
    const second = await privateType()
    cleanup(() => {
      first.remove()
      second.remove()
    })
    await addResources(first.name, ['a1', 'a2', 'a3'])
    await addResources(second.name, ['b1'])
    const license = await createLicense()
    const { client } = await loggedInPanel('admin')
    await client.get(`/admin/resources/licenses/${license.id}`)
    const since = await lastAuditId()
    const short = await client.post(`/admin/resources/licenses/${license.id}/allocate`, {
      [`counts[${first.name}]`]: 2,
      [`counts[${second.name}]`]: 2,
    })
    assert.equal(short.status, 302)
    const page = await client.get(`/admin/resources/licenses/${license.id}`)
    assert.include(
      page.body,
      `Nothing was allocated, the pool is short: ${second.name}: 2 wanted, 1 free.`
    )
    assert.lengthOf(await resourcesOf(license.id), 0)
    assert.lengthOf(await auditRowsAfter(since), 0)
    const free = await db
      .from('resource_pools_resources')
      .whereIn('type', [first.name, second.name])
      .where('status', 'available')
    assert.lengthOf(free, 4)

    const taken = await client.post(`/admin/resources/licenses/${license.id}/allocate`, {
      [`counts[${first.name}]`]: 2,
      [`counts[${second.name}]`]: 1,
    })
    assert.equal(taken.status, 302)
    const held = await resourcesOf(license.id)
    assert.deepEqual(
      held.map((row) => row.value),
      ['a1', 'a2', 'b1']
    )
    assert.isTrue(held.every((row) => row.status === 'allocated' && row.allocated_at !== null))
    const audit = await auditRowsAfter(since)
    assert.equal(audit.at(-1)!.action, 'resource_pools.allocated')
    assert.deepEqual((audit.at(-1)!.after as any).resources, [
      `${first.name}:a1`,
      `${first.name}:a2`,
      `${second.name}:b1`,
    ])
    const history = await historyOf(held[0].id)
    assert.deepInclude(history.at(-1), { action: 'allocated', license_key: license.key })

    // The license page's card and the plugin's license page show them.
    const licensePage = await client.get(`/admin/licenses/${license.id}`)
    const card = licensePage.body.slice(licensePage.body.indexOf('data-card="resource-pools"'))
    assert.include(card, `href="/admin/resources/licenses/${license.id}"`)
    assert.include(card, 'a1, a2')
    const refusedInput = await client.post(`/admin/resources/licenses/${license.id}/allocate`, {
      [`counts[${first.name}]`]: -1,
    })
    assert.equal(refusedInput.status, 302)
    assert.lengthOf(await resourcesOf(license.id), 3)
  })

  test('a free row another allocation holds is waited for before the pool is called short', async ({
    assert,
    cleanup,
  }) => {
    const type = await privateType()
    cleanup(type.remove)
    const [, held] = await addResources(type.name, ['w1', 'w2'])
    const pools = await allocator()
    const lockWaits = async () => {
      const result = await db.rawQuery(
        `SELECT count(*)::int AS waiting FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event_type = 'Lock'`
      )
      return result.rows[0].waiting > 0
    }

    // Another transaction holds w2 (as a concurrent allocation that comes up short would)
    // and lets it go: the allocation skipped it, waits for it, and gets both.
    const first = await createLicense()
    const holder = await db.transaction()
    cleanup(() => (holder.isCompleted ? undefined : holder.rollback()))
    await holder.from('resource_pools_resources').where('id', held.id).forUpdate()
    const waiting = pools.allocate(first.id, { [type.name]: 2 }, cliActor('tests'))
    await waitUntil('the allocation waits for the held row', lockWaits, 5000)
    await holder.rollback()
    const got = await waiting
    assert.isTrue(got.ok)
    assert.lengthOf(await resourcesOf(first.id), 2)

    // When the holder takes it, the pool is short after all: nothing taken.
    await pools.release(first.id, cliActor('tests'))
    await db
      .from('resource_pools_resources')
      .where('type', type.name)
      .update({ status: 'available', quarantined_until: null })
    const second = await createLicense()
    const third = await createLicense()
    const taker = await db.transaction()
    cleanup(() => (taker.isCompleted ? undefined : taker.rollback()))
    await taker.from('resource_pools_resources').where('id', held.id).forUpdate()
    const short = pools.allocate(second.id, { [type.name]: 2 }, cliActor('tests'))
    await waitUntil('the allocation waits for the held row', lockWaits, 5000)
    await taker
      .from('resource_pools_resources')
      .where('id', held.id)
      .update({ status: 'allocated', license_id: third.id, allocated_at: new Date() })
    await taker.commit()
    const refused = await short
    assert.deepEqual(refused, { ok: false, short: [{ type: type.name, wanted: 2, free: 1 }] })
    assert.lengthOf(await resourcesOf(second.id), 0)
  })

  test('a database constraint keeps a resource on at most one license, and only while allocated', async ({
    assert,
    cleanup,
  }) => {
    const type = await privateType()
    cleanup(type.remove)
    const [resource] = await addResources(type.name, ['x1'])
    const license = await createLicense()
    await assert.rejects(
      () =>
        db
          .from('resource_pools_resources')
          .where('id', resource.id)
          .update({ license_id: license.id }),
      /resource_pools_resources_license_only_when_allocated/
    )
    await assert.rejects(() => addResources(type.name, ['x1']), /already_in_pool/)
  })

  test('needs follow the template; a license may set its own; allocate fills what is missing', async ({
    assert,
    cleanup,
  }) => {
    const type = await privateType()
    cleanup(type.remove)
    await addResources(type.name, ['n1', 'n2', 'n3', 'n4', 'n5'])
    const product = await createProduct()
    const template = await templateEntitling(product, [])
    const license = await createLicense({ productId: product.id, templateId: template.id })
    const { client } = await loggedInPanel('admin')
    await client.get('/admin/resources/templates')
    const saved = await client.post(`/admin/resources/templates/${template.id}`, {
      [`counts[${type.name}]`]: 2,
    })
    assert.equal(saved.status, 302)
    const pools = await allocator()
    assert.equal((await pools.needsOf(license.id))[type.name], 2)

    // Without counts: what the license lacks of its needs.
    const first = await pools.allocate(license.id, null, cliActor('tests'))
    assert.isTrue(first.ok)
    assert.lengthOf(await resourcesOf(license.id), 2)
    const again = await pools.allocate(license.id, null, cliActor('tests'))
    assert.deepEqual(again, { ok: true, taken: [] })
    const licensePage = await client.get(`/admin/licenses/${license.id}`)
    assert.include(licensePage.body, `${type.name} (2 of 2)`)

    // The template asks for more later: the license follows it.
    await pools.setTemplateNeeds(template.id, { [type.name]: 3 }, cliActor('tests'))
    await pools.allocate(license.id, null, cliActor('tests'))
    assert.lengthOf(await resourcesOf(license.id), 3)

    // Its own count wins over the template's; blank follows the template again.
    await client.get(`/admin/resources/licenses/${license.id}`)
    await client.post(`/admin/resources/licenses/${license.id}/needs`, {
      [`counts[${type.name}]`]: 4,
    })
    assert.equal((await pools.needsOf(license.id))[type.name], 4)
    await client.post(`/admin/resources/licenses/${license.id}/allocate`, {})
    assert.lengthOf(await resourcesOf(license.id), 4)
    await client.post(`/admin/resources/licenses/${license.id}/needs`, {
      [`counts[${type.name}]`]: '',
    })
    assert.equal((await pools.needsOf(license.id))[type.name], 3)
  })

  test('release to quarantine; the hourly job returns them once the period has passed', async ({
    assert,
    cleanup,
  }) => {
    const type = await privateType({ quarantineHours: 48 })
    cleanup(type.remove)
    const clock = useFixedClock()
    const [one, two] = await addResources(type.name, ['q1', 'q2'])
    const license = await createLicense()
    const pools = await allocator()
    await pools.allocate(license.id, { [type.name]: 2 }, cliActor('tests'))

    const { client } = await loggedInPanel('admin')
    await client.get(`/admin/resources/licenses/${license.id}`)
    const since = await lastAuditId()
    await client.post(`/admin/resources/licenses/${license.id}/release`, {
      resource_id: one.id,
      reason: 'customer left',
    })
    const released = await db.from('resource_pools_resources').where('id', one.id).first()
    assert.equal(released.status, 'quarantined')
    assert.isNull(released.license_id)
    assert.equal(released.quarantined_until.getTime(), clock.now().plus({ hours: 48 }).toMillis())
    assert.deepEqual(
      (await historyOf(one.id)).map((row) => [row.action, row.license_key, row.reason]),
      [
        ['added', null, null],
        ['allocated', license.key, null],
        ['released', license.key, 'customer left'],
        ['quarantined', license.key, 'customer left'],
      ]
    )
    assert.equal((await auditRowsAfter(since)).at(-1)!.action, 'resource_pools.released')

    // A quarantined resource is not allocated to the next license.
    const next = await createLicense()
    assert.isFalse((await pools.allocate(next.id, { [type.name]: 1 }, cliActor('tests'))).ok)

    clock.advance({ hours: 47, minutes: 59 })
    await returnQuarantined(jobContext())
    assert.equal(
      (await db.from('resource_pools_resources').where('id', one.id).first()).status,
      'quarantined'
    )
    clock.advance({ minutes: 1 })
    const done = await returnQuarantined(jobContext())
    assert.isAtLeast((done as { returned: number }).returned, 1)
    const back = await db.from('resource_pools_resources').where('id', one.id).first()
    assert.equal(back.status, 'available')
    assert.isNull(back.quarantined_until)
    assert.equal((await historyOf(one.id)).at(-1)!.action, 'returned')
    assert.isTrue((await pools.allocate(next.id, { [type.name]: 1 }, cliActor('tests'))).ok)
    assert.equal(
      (await db.from('resource_pools_resources').where('id', two.id).first()).license_id,
      license.id
    )
  })

  test("a type configured 'available' goes straight back to the pool", async ({
    assert,
    cleanup,
  }) => {
    const type = await privateType({ onRelease: 'available' })
    cleanup(type.remove)
    const [resource] = await addResources(type.name, ['r1'])
    const license = await createLicense()
    const pools = await allocator()
    await pools.allocate(license.id, { [type.name]: 1 }, cliActor('tests'))
    const released = await pools.release(license.id, cliActor('tests'))
    assert.deepEqual(
      released.map((row) => row.status),
      ['available']
    )
    assert.deepEqual(
      (await historyOf(resource.id)).map((row) => row.action),
      ['added', 'allocated', 'released']
    )
  })

  test('swap: the burned one goes to quarantine (or is retired), a free one takes its place, both keep the history', async ({
    assert,
    cleanup,
  }) => {
    const type = await privateType()
    cleanup(type.remove)
    const [burned, spare, second] = await addResources(type.name, ['s1', 's2', 's3'])
    const license = await createLicense()
    const pools = await allocator()
    await pools.allocate(license.id, { [type.name]: 1 }, cliActor('tests'))
    const { client } = await loggedInPanel('admin')
    await client.get(`/admin/resources/licenses/${license.id}`)
    const since = await lastAuditId()
    await client.post(`/admin/resources/licenses/${license.id}/swap`, {
      resource_id: burned.id,
      reason: 'blacklisted',
    })
    assert.deepEqual(
      (await resourcesOf(license.id)).map((row) => row.id),
      [spare.id]
    )
    assert.equal(
      (await db.from('resource_pools_resources').where('id', burned.id).first()).status,
      'quarantined'
    )
    assert.deepEqual(
      (await historyOf(burned.id))
        .slice(-3)
        .map((row) => [row.action, row.other_resource_id, row.reason]),
      [
        ['swapped_out', spare.id, 'blacklisted'],
        ['released', null, 'blacklisted'],
        ['quarantined', null, 'blacklisted'],
      ]
    )
    assert.deepEqual(
      (await historyOf(spare.id))
        .slice(-1)
        .map((row) => [row.action, row.other_resource_id, row.license_key]),
      [['swapped_in', burned.id, license.key]]
    )
    const audit = (await auditRowsAfter(since)).at(-1)!
    assert.equal(audit.action, 'resource_pools.swapped')
    assert.deepEqual(audit.before, { resource: `${type.name}:s1` })

    // Retiring the old one instead; the page shows the whole story.
    await client.post(`/admin/resources/licenses/${license.id}/swap`, {
      resource_id: spare.id,
      retire: 1,
    })
    assert.equal(
      (await db.from('resource_pools_resources').where('id', spare.id).first()).status,
      'retired'
    )
    assert.deepEqual(
      (await resourcesOf(license.id)).map((row) => row.id),
      [second.id]
    )
    const page = await client.get(`/admin/resources/licenses/${license.id}`)
    for (const action of ['allocated', 'swapped_out', 'swapped_in', 'quarantined', 'retired']) {
      assert.include(page.body, `data-action="${action}"`)
    }
    assert.include(page.body, 'replaced by s2')

    // Nothing free: refused, nothing changed.
    await client.post(`/admin/resources/licenses/${license.id}/swap`, { resource_id: second.id })
    const refused = await client.get(`/admin/resources/licenses/${license.id}`)
    assert.include(refused.body, `There is no free resource of type ${type.name} to swap in.`)
    assert.deepEqual(
      (await resourcesOf(license.id)).map((row) => row.id),
      [second.id]
    )
  })

  test('a swap takes a free resource of the same pool first, any pool when that has none', async ({
    assert,
    cleanup,
  }) => {
    const type = await privateType()
    cleanup(type.remove)
    const [old] = await addResources(type.name, ['p-old'], 'west')
    const [elsewhere] = await addResources(type.name, ['p-east'], 'east')
    const [sameCluster] = await addResources(type.name, ['p-west'], 'west')
    const license = await createLicense()
    const pools = await allocator()
    await pools.allocate(license.id, { [type.name]: 1 }, cliActor('tests'), { pool: 'west' })
    const first = await pools.swap(license.id, old.id, cliActor('tests'))
    assert.equal(first.replacement.id, sameCluster.id)
    const second = await pools.swap(license.id, sameCluster.id, cliActor('tests'))
    assert.equal(second.replacement.id, elsewhere.id)
  })

  test('revocation releases at once through license:status_changed, and the reconcile job catches what no event told', async ({
    assert,
    cleanup,
  }) => {
    const type = await privateType({ onRelease: 'available' })
    cleanup(type.remove)
    await addResources(type.name, ['v1', 'v2', 'v3', 'v4'])
    const pools = await allocator()
    const byEvent = await createLicense()
    const silently = await createLicense()
    await pools.allocate(byEvent.id, { [type.name]: 1 }, cliActor('tests'))
    await pools.allocate(silently.id, { [type.name]: 1 }, cliActor('tests'))

    // Revoked in the panel: the core announces it after the commit, the plugin releases.
    const byPanel = await createLicense()
    await pools.allocate(byPanel.id, { [type.name]: 1 }, cliActor('tests'))
    const { client } = await loggedInPanel('admin')
    await client.get('/admin/licenses')
    await client.post('/admin/licenses/bulk', { 'action': 'revoke', 'ids[]': [byPanel.id] })
    await waitUntil(
      'the revoked license gives its resource back',
      async () => (await resourcesOf(byPanel.id)).length === 0,
      5000
    )

    const emitter = await app.container.make('emitter')
    await emitter.emit('license:status_changed', {
      licenses: [
        { id: byEvent.id, key: byEvent.key, productId: byEvent.productId, customerId: null },
      ],
      status: 'revoked',
      actor: { kind: 'admin', id: null, email: 'owner@example.com' },
    })
    assert.lengthOf(await resourcesOf(byEvent.id), 0)

    // Revoked by a path that emits nothing (a script, a restore): the hourly reconcile releases it.
    await db.from('licenses').where('id', silently.id).update({ status: 'revoked' })
    assert.lengthOf(await resourcesOf(silently.id), 1)
    await reconcile(jobContext())
    assert.lengthOf(await resourcesOf(silently.id), 0)
    const events = await db
      .from('resource_pools_events')
      .where({ license_id: silently.id, action: 'released' })
    assert.deepEqual(
      events.map((row) => row.reason),
      ['license revoked']
    )
  })

  test('deleting a license is never blocked; the reconcile job releases what it held, history kept', async ({
    assert,
    cleanup,
  }) => {
    const type = await privateType()
    cleanup(type.remove)
    const [resource] = await addResources(type.name, ['del1'])
    const license = await createLicense()
    const pools = await allocator()
    await pools.allocate(license.id, { [type.name]: 1 }, cliActor('tests'))
    await db.from('licenses').where('id', license.id).delete()
    const orphan = await db.from('resource_pools_resources').where('id', resource.id).first()
    assert.equal(orphan.status, 'allocated')
    assert.isNull(orphan.license_id)
    await reconcile(jobContext())
    const released = await db.from('resource_pools_resources').where('id', resource.id).first()
    assert.equal(released.status, 'quarantined')
    const history = await historyOf(resource.id)
    assert.deepEqual(
      history.map((row) => [row.action, row.license_id, row.license_key]),
      [
        ['added', null, null],
        ['allocated', null, license.key],
        ['released', null, license.key],
        ['quarantined', null, license.key],
      ]
    )
    assert.equal(history.at(-1)!.reason, 'license deleted')
  })

  test('ace: resource:allocate KEY --type counts, all or nothing; resource:release KEY', async ({
    assert,
  }) => {
    const pool = unique('pool')
    await addResources('domain', [uniqueDomain(), uniqueDomain()], pool)
    const license = await createLicense()
    const short = await runCommand(ResourceAllocate, [license.key, '--domain=3', `--pool=${pool}`])
    assert.equal(short.exitCode, 1)
    assert.include(logsOf(short), 'domain: 3 wanted, 2 free')
    assert.lengthOf(await resourcesOf(license.id), 0)
    const done = await runCommand(ResourceAllocate, [
      license.key.toLowerCase(),
      '--domain=2',
      `--pool=${pool}`,
    ])
    assert.equal(done.exitCode, 0)
    assert.include(logsOf(done), `Allocated 2 resource(s) to ${license.key}`)
    assert.lengthOf(await resourcesOf(license.id), 2)
    const unknown = await runCommand(ResourceAllocate, ['NO-SUCH-KEY', '--domain=1'])
    assert.equal(unknown.exitCode, 1)
    const bad = await runCommand(ResourceAllocate, [license.key, '--count=fax'])
    assert.equal(bad.exitCode, 1)
    const released = await runCommand(ResourceRelease, [license.key, '--reason=test over'])
    assert.equal(released.exitCode, 0)
    assert.include(logsOf(released), `Released 2 resource(s) of ${license.key}`)
    assert.lengthOf(await resourcesOf(license.id), 0)
  })

  test('the panel login guards every page: a logged-out visitor cannot allocate', async ({
    assert,
  }) => {
    const license = await createLicense()
    const response = await fetch(
      `http://${process.env.HOST}:${process.env.PORT}/admin/resources/licenses/${license.id}/allocate`,
      { method: 'POST', redirect: 'manual' }
    )
    assert.equal(response.status, 302)
    assert.lengthOf(await resourcesOf(license.id), 0)
    const page = await fetch(
      `http://${process.env.HOST}:${process.env.PORT}/admin/resources/licenses/${license.id}`,
      { redirect: 'manual' }
    )
    assert.equal(page.status, 302)
    assert.equal(page.headers.get('location'), '/admin/login')
    assert.lengthOf(await resourcesOf(license.id), 0)
  })
})
