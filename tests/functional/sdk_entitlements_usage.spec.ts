import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import {
  createLicense,
  createProduct,
  createProductWithGrace,
  licenseExpiringAt,
  unique,
} from '#tests/support/fixtures'
import { inProcessClients } from '#tests/support/sdk'
import {
  createEntitlements,
  setOwnEntitlement,
  templateEntitling,
} from '#tests/support/entitlements'
import { createMeter, licenseFor } from '#tests/support/usage'
import { MemoryStore, type LicenseClientOptions } from '../../sdk/src/index.ts'

/**
 * The SDK's entitlements, usage records and grace state against the test
 * server: what the unit tests check against the documented contract, here
 * against the endpoints themselves.
 */
test.group('SDK against the server: entitlements, usage and grace', (group) => {
  const openClient = inProcessClients(group)

  function clientFor(licenseKey: string, options: Partial<LicenseClientOptions> = {}) {
    return openClient({
      licenseKey,
      fingerprint: unique('kw1-sdk-device'),
      retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 },
      ...options,
    })
  }

  /** A license of a template with export_pdf and sync, granted api_access on top. */
  async function entitledLicense() {
    const product = await createProduct()
    const byCode = await createEntitlements(product, ['export_pdf', 'sync', 'api_access', 'teams'])
    const template = await templateEntitling(product, [byCode.export_pdf, byCode.sync])
    const license = await createLicense({
      productId: product.id,
      templateId: template.id,
      type: 'perpetual',
      maxDevices: 2,
    })
    await setOwnEntitlement(license, byCode.api_access, true)
    return license
  }

  test('hasEntitlement from the session start and, offline, from the lease; checkEntitlements names the missing', async ({
    assert,
  }) => {
    const license = await entitledLicense()
    const store = new MemoryStore()
    const client = clientFor(license.key, { store })
    assert.isFalse(client.hasEntitlement('export_pdf'))

    const session = await client.startSession()
    assert.deepEqual(session.entitlements, ['api_access', 'export_pdf', 'sync'])
    assert.isTrue(client.hasEntitlement('api_access'))
    assert.isFalse(client.hasEntitlement('teams'))

    assert.deepEqual(await client.checkEntitlements(['export_pdf', 'teams', 'no_such_code']), {
      ok: false,
      missing: ['teams', 'no_such_code'],
      entitlements: null,
    })
    assert.deepEqual(await client.checkEntitlements(['sync']), {
      ok: true,
      missing: [],
      entitlements: ['api_access', 'export_pdf', 'sync'],
    })

    // The same program started again with the server out of reach.
    const offline = clientFor(license.key, {
      store,
      fingerprint: client.fingerprint,
      fetch: async () => {
        throw new TypeError('fetch failed')
      },
    })
    const verdict = await offline.verify()
    assert.include(verdict, { valid: true, offline: true, status: 'active' })
    assert.deepEqual(verdict.entitlements, ['api_access', 'export_pdf', 'sync'])
    assert.isTrue(offline.hasEntitlement('sync'))
    await client.endSession()
  })

  test('recordUsage: an answer lost after the server counted is retried under the same key and counts once', async ({
    assert,
  }) => {
    const meter = await createMeter({ defaultLimit: 2 })
    const license = await licenseFor(meter)
    let loseNextAnswer = true
    const client = clientFor(license.key, {
      fetch: async (input, init) => {
        const response = await globalThis.fetch(input, init)
        if (loseNextAnswer && String(input).endsWith('/api/license/usage')) {
          loseNextAnswer = false
          await response.arrayBuffer()
          throw new TypeError('connection reset')
        }
        return response
      },
    })

    const first = await client.recordUsage(meter.code)
    assert.include(first, { used: 1, limit: 2, remaining: 1, replayed: true })
    const second = await client.recordUsage(meter.code)
    assert.include(second, { used: 2, remaining: 0, replayed: false })
    assert.notEqual(first.idempotencyKey, second.idempotencyKey)

    const refused = await client.recordUsage(meter.code).catch((error) => error)
    assert.equal(refused.code, 'USAGE_LIMIT_REACHED')
    assert.include(refused.details, { limit: 2, used: 2 })
    assert.equal(refused.details.resets_at, first.resetsAt)

    const [usage] = await client.usage()
    assert.deepInclude(usage, { meter: meter.code, used: 2, limit: 2, remaining: 0, overage: 0 })
    const counted = await db
      .from('usage_events')
      .where({ license_id: license.id, meter_id: meter.id })
      .count('* as n')
    assert.equal(Number(counted[0].n), 2)
  })

  test('an expired license in its grace: verify says so, the event fires once, the lease ends with the grace', async ({
    assert,
  }) => {
    const product = await createProductWithGrace(7)
    const expiresAt = DateTime.utc().minus({ days: 1 })
    const license = await licenseExpiringAt(product.id, expiresAt)
    const client = clientFor(license.key)
    const nags: string[] = []
    client.on('grace', ({ graceEndsAt }) => nags.push(graceEndsAt))
    await client.activate()

    const graceEndsAt = expiresAt.plus({ days: 7 }).toUTC().toISO()
    const result = await client.verify()
    assert.include(result, { valid: true, code: 'VALID', status: 'grace', graceEndsAt })
    assert.equal(result.license!.status, 'grace')
    assert.equal(result.lease!.status, 'grace')
    assert.equal(result.lease!.valid_until, graceEndsAt)
    await client.verify()
    assert.deepEqual(nags, [graceEndsAt])
    assert.equal(client.licenseStatus, 'grace')

    const session = await client.startSession()
    assert.equal(session.graceEndsAt, graceEndsAt)
    await client.endSession()
  })
})
