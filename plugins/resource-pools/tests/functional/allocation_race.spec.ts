import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createLicense, unique } from '#tests/support/fixtures'
import { createAdmin, PanelClient } from '#tests/support/panel'
import { startServerProcess } from '#tests/support/server_process'
import { addResources, uniqueDomain } from '../support.js'

/**
 * Allocation under real contention: three separate server processes on one
 * database, 50 licenses asking at once for 2 domains each from a pool of
 * 60. Exactly 30 get their two, no domain goes to two licenses, the other
 * 20 take nothing; three rounds, each on a fresh pool.
 */
test.group('resource-pools: allocation racing across three server processes', (group) => {
  let servers: Array<Awaited<ReturnType<typeof startServerProcess>>> = []

  group.each.timeout(180_000)
  group.setup(async () => {
    servers = await Promise.all([1, 2, 3].map(() => startServerProcess()))
    return async () => {
      await Promise.all(servers.map((server) => server.stop()))
    }
  })

  test('50 licenses x 2 domains from 60: 30 succeed, none twice, 20 take nothing, three rounds', async ({
    assert,
  }) => {
    // One admin session (in Redis, shared by the processes) posts to all three.
    const admin = await createAdmin({ role: 'admin' })
    const panel = new PanelClient(servers[0].url)
    const login = await panel.login(admin.email)
    assert.equal(login.location, '/admin')
    await panel.get('/admin/resources')
    const cookie = [...panel.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    const csrf = panel.csrfToken!

    for (let round = 1; round <= 3; round++) {
      const pool = unique('race')
      await addResources(
        'domain',
        Array.from({ length: 60 }, () => uniqueDomain()),
        pool
      )
      const licenses = await Promise.all(Array.from({ length: 50 }, () => createLicense()))
      const started = performance.now()
      const responses = await Promise.all(
        licenses.map((license, index) =>
          fetch(`${servers[index % 3].url}/admin/resources/licenses/${license.id}/allocate`, {
            method: 'POST',
            redirect: 'manual',
            headers: { 'cookie': cookie, 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ 'counts[domain]': '2', pool, '_csrf': csrf }),
          })
        )
      )
      const elapsed = performance.now() - started
      assert.deepEqual(
        [...new Set(responses.map((response) => response.status))],
        [302],
        `round ${round}`
      )

      const held = await db
        .from('resource_pools_resources')
        .where('pool', pool)
        .select('id', 'license_id', 'status')
      assert.isTrue(
        held.every((row) => row.status === 'allocated'),
        `round ${round}: all 60 taken`
      )
      const perLicense = new Map<number, number>()
      for (const row of held) {
        perLicense.set(Number(row.license_id), (perLicense.get(Number(row.license_id)) ?? 0) + 1)
      }
      const ids = new Set(licenses.map((license) => license.id))
      assert.isTrue([...perLicense.keys()].every((id) => ids.has(id)))
      assert.equal(perLicense.size, 30, `round ${round}: licenses that got theirs`)
      assert.isTrue(
        [...perLicense.values()].every((count) => count === 2),
        `round ${round}: two each`
      )

      // Each domain was allocated exactly once, and only to a winner.
      const allocations = await db
        .from('resource_pools_events')
        .whereIn(
          'resource_id',
          held.map((row) => row.id)
        )
        .where('action', 'allocated')
        .select('resource_id', 'license_id')
      assert.lengthOf(allocations, 60)
      assert.equal(new Set(allocations.map((row) => row.resource_id)).size, 60)
      const losers = licenses.filter((license) => !perLicense.has(license.id))
      assert.lengthOf(losers, 20)
      const taken = await db.from('resource_pools_resources').whereIn(
        'license_id',
        losers.map((license) => license.id)
      )
      assert.lengthOf(taken, 0, `round ${round}: the other 20 took nothing`)
      console.log(`round ${round}: 50 allocations over 3 processes in ${Math.round(elapsed)} ms`)
    }
  })
})
