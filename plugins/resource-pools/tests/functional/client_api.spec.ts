import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { ClientResponseExtensions, cliActor } from '#plugin_host/api'
import { createLicense, fingerprint, newApiKey } from '#tests/support/fixtures'
import { decodeLease } from '#tests/support/leases'
import { SessionClient } from '#tests/support/sessions'
import { hostWith, serveHost } from '#tests/support/plugin_server'
import { addClientFields } from '../../provider.js'
import ResourceAllocator from '../../services/allocator.js'
import {
  addResources,
  historyOf,
  privateType,
  resourcesOf,
  uniqueDomain,
  uniquePhone,
  withSettings,
} from '../support.js'

/** A license holding two domains and one phone number, its device activated. */
async function licenseWithResources(client: ApiClient, apiKey: string) {
  const [first, second] = [uniqueDomain(), uniqueDomain()].sort()
  const pool = `client-${Date.now()}-${Math.random()}`
  await addResources('domain', [second, first], pool)
  await addResources('phone', [uniquePhone()], pool)
  const license = await createLicense({ type: 'perpetual' })
  const allocator = await app.container.make(ResourceAllocator)
  const allocated = await allocator.allocate(
    license.id,
    { domain: 2, phone: 1 },
    cliActor('tests'),
    {
      pool,
    }
  )
  if (!allocated.ok) throw new Error('allocation failed')
  const phone = allocated.taken.find((row) => row.type === 'phone')!.value
  const device = fingerprint()
  const post = (path: string, body: Record<string, unknown>) =>
    client.post(`/api/license/${path}`).header('X-API-Key', apiKey).json(body)
  ;(
    await post('activate', { license_key: license.key, hardware_fingerprint: device })
  ).assertStatus(201)
  return { license, device, post, domains: [first, second], phone, pool }
}

/**
 * What clients see of resource pools: the `resources` field of verify,
 * session/start and the lease, the resources endpoint, and reports.
 */
test.group('resource-pools: client API', (group) => {
  let apiKey: string
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  test('verify, session/start and the signed lease carry the license resources', async ({
    client,
    assert,
  }) => {
    const { license, device, post, domains, phone } = await licenseWithResources(client, apiKey)
    const verified = await post('verify', {
      license_key: license.key,
      hardware_fingerprint: device,
    })
    verified.assertStatus(200)
    const expected = { domain: domains, ipv4: [], phone: [phone] }
    assert.deepEqual(verified.body().resources, expected)
    assert.deepEqual(decodeLease(verified.body().lease).claims.resources, expected)

    const started = await new SessionClient(client, apiKey, license.key).start(device)
    started.assertStatus(201)
    assert.deepEqual(started.body().resources, expected)
    assert.deepEqual(decodeLease(started.body().lease).claims.resources, expected)

    const alone = await client
      .get(`/api/license/resources/${license.key.toLowerCase()}`)
      .header('X-API-Key', apiKey)
    alone.assertStatus(200)
    assert.deepEqual(alone.body(), { license_key: license.key, resources: expected })
  })

  test('a license holding none has no field (its endpoint answers empty lists); a refused verify tells none', async ({
    client,
    assert,
  }) => {
    const license = await createLicense({ type: 'perpetual' })
    const verified = await client
      .post('/api/license/verify')
      .header('X-API-Key', apiKey)
      .json({ license_key: license.key })
    assert.equal(verified.body().code, 'VALID')
    assert.notProperty(verified.body(), 'resources')
    const alone = await client
      .get(`/api/license/resources/${license.key}`)
      .header('X-API-Key', apiKey)
    assert.deepEqual(alone.body().resources, { domain: [], ipv4: [], phone: [] })

    const revoked = await createLicense({ type: 'perpetual', status: 'revoked' })
    const refused = await client
      .post('/api/license/verify')
      .header('X-API-Key', apiKey)
      .json({ license_key: revoked.key })
    assert.equal(refused.body().code, 'REVOKED')
    assert.notProperty(refused.body(), 'resources')
  })

  test('the resources endpoint: API key, validation and license states, in the API error format', async ({
    client,
    assert,
  }) => {
    const get = (key: string, withKey = true) => {
      const request = client.get(`/api/license/resources/${key}`)
      return withKey ? request.header('X-API-Key', apiKey) : request
    }
    const license = await createLicense({ type: 'perpetual' })
    const noKey = await get(license.key, false)
    noKey.assertStatus(401)
    assert.equal(noKey.body().error.code, 'INVALID_API_KEY')
    const unknown = await get('KW-NO-SUCH-LICENSE')
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'LICENSE_NOT_FOUND')
    const malformed = await get('a%20b')
    malformed.assertStatus(422)
    assert.equal(malformed.body().error.code, 'VALIDATION_ERROR')
    const suspended = await createLicense({ type: 'perpetual', status: 'suspended' })
    const refused = await get(suspended.key)
    refused.assertStatus(403)
    assert.equal(refused.body().error.code, 'LICENSE_SUSPENDED')
  })

  test('a report flags the resource and swaps in a free one; the history tells why', async ({
    client,
    assert,
  }) => {
    const { license, post, domains, pool } = await licenseWithResources(client, apiKey)
    const spare = uniqueDomain()
    await addResources('domain', [spare], pool)
    // The client may write the value as it likes: upper case, a trailing dot.
    const reported = await post('resources/report', {
      license_key: license.key,
      type: 'domain',
      value: `${domains[0].toUpperCase()}.`,
      reason: 'DNS does not resolve',
    })
    reported.assertStatus(200)
    const body = reported.body()
    assert.isTrue(body.flagged)
    assert.isTrue(body.replaced)
    assert.equal(body.replacement.type, 'domain')
    assert.notEqual(body.replacement.value, domains[0])
    assert.notInclude(body.resources.domain, domains[0])
    assert.include(body.resources.domain, body.replacement.value)

    const old = await db
      .from('resource_pools_resources')
      .where({ type: 'domain', value: domains[0] })
      .first()
    assert.equal(old.status, 'quarantined')
    assert.equal(old.flag_reason, 'DNS does not resolve')
    assert.isNotNull(old.flagged_at)
    const actions = (await historyOf(old.id)).map((row) => [row.action, row.actor_type])
    assert.deepEqual(actions.slice(-4), [
      ['reported', 'api_key'],
      ['swapped_out', 'api_key'],
      ['released', 'api_key'],
      ['quarantined', 'api_key'],
    ])
    assert.lengthOf(await resourcesOf(license.id), 3)
  })

  test("with onReport 'flag' a report only flags; a flagged resource is not handed out again", async ({
    client,
    assert,
    cleanup,
  }) => {
    cleanup(
      await withSettings((config) => {
        config.onReport = 'flag'
      })
    )
    const { license, post, phone, domains } = await licenseWithResources(client, apiKey)
    const reported = await post('resources/report', {
      license_key: license.key,
      type: 'phone',
      value: phone,
    })
    reported.assertStatus(200)
    assert.deepInclude(reported.body(), { flagged: true, replaced: false, replacement: null })
    const row = await db
      .from('resource_pools_resources')
      .where({ type: 'phone', value: phone })
      .first()
    assert.equal(row.status, 'allocated')
    assert.isNotNull(row.flagged_at)

    // Released, it stays out of the pool until an admin clears the report.
    const allocator = await app.container.make(ResourceAllocator)
    await withSettings((config) => {
      config.types.phone.onRelease = 'available'
    })
    await allocator.release(license.id, cliActor('tests'))
    const next = await createLicense()
    const again = await allocator.allocate(next.id, { phone: 1 }, cliActor('tests'), {
      pool: row.pool,
    })
    assert.isFalse(again.ok)
    await allocator.clearFlag(row.id, cliActor('tests'))
    assert.isTrue(
      (await allocator.allocate(next.id, { phone: 1 }, cliActor('tests'), { pool: row.pool })).ok
    )

    const notHeld = await post('resources/report', {
      license_key: license.key,
      type: 'domain',
      value: domains[0].replace(/^/, 'x'),
    })
    notHeld.assertStatus(404)
    assert.equal(notHeld.body().error.code, 'RESOURCE_NOT_FOUND')
    const badType = await post('resources/report', {
      license_key: license.key,
      type: 'fax',
      value: '1',
    })
    badType.assertStatus(422)
    assert.equal(badType.body().error.fields[0].field, 'type')
    const badValue = await post('resources/report', {
      license_key: license.key,
      type: 'ipv4',
      value: 'x',
    })
    badValue.assertStatus(422)
    const missing = await post('resources/report', { license_key: license.key })
    missing.assertStatus(422)
    assert.equal(missing.body().error.code, 'VALIDATION_ERROR')
  })

  test('a report when nothing is free flags and keeps the resource', async ({
    client,
    assert,
    cleanup,
  }) => {
    const type = await privateType()
    cleanup(type.remove)
    await addResources(type.name, ['only-one'])
    const license = await createLicense({ type: 'perpetual' })
    const allocator = await app.container.make(ResourceAllocator)
    await allocator.allocate(license.id, { [type.name]: 1 }, cliActor('tests'))
    const reported = await client
      .post('/api/license/resources/report')
      .header('X-API-Key', apiKey)
      .json({ license_key: license.key, type: type.name, value: 'only-one' })
    reported.assertStatus(200)
    assert.deepInclude(reported.body(), { flagged: true, replaced: false, replacement: null })
    assert.deepEqual(reported.body().resources[type.name], ['only-one'])
  })
})

test.group('resource-pools: switched off', (group) => {
  let apiKey: string
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  test('its routes answer 404 and leave the menu; its tables and rows stay', async ({
    assert,
    cleanup,
  }) => {
    const [resource] = await addResources('domain', [uniqueDomain()])
    const host = await hostWith(['session-resumable'])
    const server = await serveHost(host)
    cleanup(() => server.close())
    for (const [method, path] of [
      ['GET', '/api/license/resources/KW-ANY'],
      ['POST', '/api/license/resources/report'],
      ['GET', '/admin/resources'],
      ['GET', '/admin/resources/list'],
      ['POST', '/admin/resources/add'],
      ['GET', `/admin/resources/${resource.id}`],
    ]) {
      assert.equal((await server.request(path, method)).status, 404, `${method} ${path}`)
    }
    assert.notInclude(
      host.navigation().map((item) => item.href),
      '/admin/resources'
    )
    assert.isNotNull(await db.from('resource_pools_resources').where('id', resource.id).first())

    const enabled = await hostWith(['session-resumable', 'resource-pools'])
    assert.include(
      enabled.navigation().map((item) => item.href),
      '/admin/resources'
    )
    assert.includeMembers(
      enabled.jobs().map((job) => job.name),
      ['resource-pools:return-quarantined', 'resource-pools:reconcile']
    )
  })

  test('without its provider the answers have no resources field; with it, they do', async ({
    client,
    assert,
    cleanup,
  }) => {
    // The core's registry as a process without the plugin has it.
    const bare = new ClientResponseExtensions()
    app.container.swap(ClientResponseExtensions, () => bare)
    cleanup(() => app.container.restore(ClientResponseExtensions))
    const { license, device, post, domains } = await licenseWithResources(client, apiKey)
    const without = await post('verify', { license_key: license.key, hardware_fingerprint: device })
    assert.notProperty(without.body(), 'resources')
    assert.notProperty(decodeLease(without.body().lease).claims, 'resources')
    const started = await new SessionClient(client, apiKey, license.key).start(device)
    assert.notProperty(started.body(), 'resources')

    // What the plugin's provider does at boot (the host runs it only while the plugin is enabled).
    addClientFields(app, bare)
    assert.deepEqual(bare.fieldsOf('verify'), ['resources'])
    const withIt = await post('verify', { license_key: license.key, hardware_fingerprint: device })
    assert.deepEqual(withIt.body().resources.domain, domains)
  })
})
