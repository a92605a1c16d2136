import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { LeaseStore } from '../../sdk/src/index.ts'
import { fingerprintDigest } from '#services/security/security_events'
import { createLicense, unique } from '#tests/support/fixtures'
import { inProcessClients } from '#tests/support/sdk'
import { flushSecurityEvents } from '#tests/support/security'

/**
 * What the SDK finds offline (a clock set back, a lease changed by hand)
 * it keeps, and tells the server through `POST /api/license/report` at the
 * next answer it gets: the server's clock-rollback detector then sees it.
 */
/** A store whose values the test can read and change. */
function openStore() {
  const values = new Map<string, string>()
  const store: LeaseStore = {
    load: async (key) => values.get(key) ?? null,
    save: async (key, value) => void values.set(key, value),
    delete: async (key) => void values.delete(key),
  }
  return { store, values }
}

test.group('SDK: security reports', (group) => {
  const client = inProcessClients(group)

  async function eventsOf(licenseId: number) {
    await flushSecurityEvents()
    return db
      .from('security_events')
      .where('license_id', licenseId)
      .orderBy('id')
      .select('kind', 'fingerprint_digest', 'details')
  }

  test('a clock set back offline is reported once the server answers again, once', async ({
    assert,
  }) => {
    const license = await createLicense({ type: 'perpetual' })
    const { store, values } = openStore()
    const fingerprint = unique('kw1-reporting-machine')
    const online = client({ licenseKey: license.key, fingerprint, store })
    await online.activate()
    const verified = await online.verify()
    const validUntil = Date.parse(verified.lease!.valid_until)

    // Offline, the program saw the lease's last minute, then a clock three hours earlier.
    const late = client({
      licenseKey: license.key,
      fingerprint,
      store,
      now: () => validUntil - 60_000,
    })
    assert.include(await late.verifyOffline(), { valid: true })
    const setBack = client({
      licenseKey: license.key,
      fingerprint,
      store,
      now: () => validUntil - 3 * 3600_000,
    })
    assert.include(await setBack.verifyOffline(), { valid: false, code: 'CLOCK_TAMPERED' })
    assert.lengthOf(await eventsOf(license.id), 0)
    assert.isTrue([...values.keys()].some((key) => key.endsWith('-reports')))

    await online.verify()
    const events = await eventsOf(license.id)
    assert.lengthOf(events, 1)
    assert.equal(events[0].kind, 'clock_rollback')
    assert.equal(events[0].fingerprint_digest, fingerprintDigest(fingerprint))
    assert.equal(events[0].details.observed_at, new Date(validUntil - 3 * 3600_000).toISOString())
    assert.equal(events[0].details.last_seen_at, new Date(validUntil - 60_000).toISOString())

    // Sent means gone: the next answer reports nothing again.
    assert.isFalse([...values.keys()].some((key) => key.endsWith('-reports')))
    await online.verify()
    assert.lengthOf(await eventsOf(license.id), 1)
  })

  test('a lease changed by hand is reported as lease tampering', async ({ assert }) => {
    const license = await createLicense({ type: 'perpetual' })
    const { store, values } = openStore()
    const fingerprint = unique('kw1-reporting-machine')
    const online = client({ licenseKey: license.key, fingerprint, store })
    await online.activate()
    await online.verify()

    // One character of the cached lease's payload changed by hand.
    const [cachedKey] = [...values.keys()]
    const cached = JSON.parse(values.get(cachedKey)!)
    const [header, payload, signature] = cached.lease.split('.')
    const at = Math.floor(payload.length / 2)
    const changed = payload.slice(0, at) + (payload[at] === 'A' ? 'B' : 'A') + payload.slice(at + 1)
    values.set(cachedKey, JSON.stringify({ ...cached, lease: `${header}.${changed}.${signature}` }))

    assert.include(await online.verifyOffline(), { valid: false, code: 'LEASE_INVALID' })
    await online.verify()
    const events = await eventsOf(license.id)
    assert.deepEqual(
      events.map((event) => event.kind),
      ['lease_tampering']
    )
    assert.isString(events[0].details.message)
  })
})
