import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createLicense } from '#tests/support/fixtures'
import { inProcessClients } from '#tests/support/sdk'
import { useFastHeartbeats } from '#tests/support/sessions'
import { LicenseClient, MemoryStore, type LicenseClientOptions } from '../../sdk/src/index.ts'

/**
 * The SDK's reactions that need no second process: what a heartbeat's 410
 * does to the cached lease, and the lease refresh of a long session.
 * Heartbeats every second (timeout 3 s).
 */
test.group('SDK client against the test server', (group) => {
  const openClient = inProcessClients(group)
  group.setup(() => useFastHeartbeats())

  async function clientFor(options: Partial<LicenseClientOptions> = {}) {
    const license = await createLicense({ type: 'perpetual', maxDevices: 2 })
    const store = new MemoryStore()
    const client = openClient({
      licenseKey: license.key,
      fingerprint: 'kw1-in-process-client',
      store,
      ...options,
    })
    return { client, store, license }
  }

  test('a device deactivated elsewhere: the heartbeat ends the session and the lease is gone', async ({
    assert,
  }) => {
    const { client } = await clientFor()
    await client.startSession()
    assert.isTrue((await client.verifyOffline()).valid)

    const ended = new Promise<{ reason: string | null; code: string }>((resolve) =>
      client.once('ended', resolve)
    )
    const elsewhere = new LicenseClient({ ...client.options, store: null })
    await elsewhere.deactivate()
    assert.deepEqual(await ended, { reason: 'deactivated', code: 'SESSION_ENDED' })
    assert.equal((await client.verifyOffline()).code, 'LEASE_MISSING')
    assert.isNull(client.sessionToken)
  })

  test('a long session refreshes its lease', async ({ assert }) => {
    const { client } = await clientFor({ leaseRefreshSeconds: 0 })
    await client.startSession()
    const first = (await client.verifyOffline()).lease!.issued_at
    await new Promise((resolve) => client.once('heartbeat', resolve))
    let refreshed = first
    for (let tries = 0; refreshed === first && tries < 40; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      refreshed = (await client.verifyOffline()).lease!.issued_at
    }
    assert.isAbove(Date.parse(refreshed), Date.parse(first))
  })

  test('endSession ends it for everyone, twice is fine, and heartbeats stop', async ({
    assert,
  }) => {
    const { client, license } = await clientFor()
    await client.startSession()
    await Promise.all([client.endSession(), client.endSession()])
    const live = await db.from('license_sessions').where('license_id', license.id)
    assert.lengthOf(live, 0)
    assert.isNull(client.sessionToken)
  })
})
