import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import {
  ClientResponseExtensions,
  type ClientResponseContext,
} from '#services/client_response_extensions'
import { createLicense, fingerprint, newApiKey } from '#tests/support/fixtures'
import { restoreClock, SessionClient, useFixedClock } from '#tests/support/sessions'
import { leaseVerifies } from '#tests/support/leases'

function claimsOf(lease: string) {
  return JSON.parse(Buffer.from(lease.split('.')[1], 'base64url').toString())
}

/**
 * What a plugin adds to the client's answers through ClientResponseExtensions:
 * the test server runs in this process, so the test registers its fields in
 * the same container the requests use, and removes them afterwards.
 */
test.group('Client response extensions', (group) => {
  let apiKey: string
  let extensions: ClientResponseExtensions
  group.setup(async () => {
    apiKey = await newApiKey()
    extensions = await app.container.make(ClientResponseExtensions)
  })
  group.each.teardown(() => restoreClock())

  async function activatedDevice(client: ApiClient) {
    const license = await createLicense({ type: 'perpetual', features: { pro: true } })
    const device = fingerprint()
    const post = (path: string, body: Record<string, unknown>) =>
      client.post(`/api/license/${path}`).header('X-API-Key', apiKey).json(body)
    const activated = await post('activate', {
      license_key: license.key,
      hardware_fingerprint: device,
    })
    activated.assertStatus(201)
    const verifyDevice = () =>
      post('verify', { license_key: license.key, hardware_fingerprint: device })
    return { license, device, verifyDevice }
  }

  test('the container holds one registry', async ({ assert }) => {
    assert.strictEqual(await app.container.make(ClientResponseExtensions), extensions)
  })

  test('a field reaches verify, session/start and the signed lease, after the core fields', async ({
    client,
    assert,
    cleanup,
  }) => {
    const clock = useFixedClock()
    const seen: ClientResponseContext[] = []
    const source = async (context: ClientResponseContext) => {
      seen.push(context)
      return { free: 3, pool: context.product.slug }
    }
    for (const point of ['verify', 'session_start', 'lease'] as const) {
      cleanup(extensions.add(point, 'seat_pool', source, { owner: 'test-pools' }))
    }
    cleanup(extensions.add('verify', 'plan_tier', async () => 'gold'))

    const { license, device, verifyDevice } = await activatedDevice(client)
    await license.load('product')
    const verified = await verifyDevice()
    verified.assertStatus(200)
    const body = verified.body()
    assert.deepEqual(Object.keys(body), [
      'valid',
      'code',
      'license',
      'entitlements',
      'lease',
      'seat_pool',
      'plan_tier',
    ])
    assert.deepEqual(body.seat_pool, { free: 3, pool: license.product.slug })
    assert.equal(body.plan_tier, 'gold')

    const claims = claimsOf(body.lease)
    assert.deepEqual(Object.keys(claims).slice(-2), ['exp', 'seat_pool'])
    assert.deepEqual(claims.seat_pool, { free: 3, pool: license.product.slug })
    const keys = (await client.get('/api/keys/public').header('X-API-Key', apiKey)).body().keys
    assert.isTrue(leaseVerifies(body.lease, keys), 'the added claim is inside the signature')

    const api = new SessionClient(client, apiKey, license.key)
    const started = await api.start(device)
    started.assertStatus(201)
    assert.deepEqual(Object.keys(started.body()), [
      'session_token',
      'resumed',
      'heartbeat_interval',
      'session_timeout',
      'expires_at',
      'entitlements',
      'lease',
      'seat_pool',
    ])
    assert.deepEqual(claimsOf(started.body().lease).seat_pool, {
      free: 3,
      pool: license.product.slug,
    })

    const byPoint = Object.fromEntries(seen.map((context) => [context.point, context]))
    assert.sameMembers(Object.keys(byPoint), ['verify', 'lease', 'session_start'])
    for (const context of seen) {
      assert.equal(context.license.id, license.id)
      assert.equal(context.product.id, license.productId)
      assert.equal(context.fingerprint, device)
      assert.equal(context.now.toMillis(), clock.now().toMillis())
      assert.isTrue(Object.isFrozen(context))
    }
    assert.equal(byPoint.verify.code, 'VALID')
    assert.isTrue(byPoint.session_start.client?.isTransaction, 'start runs in its transaction')
    assert.isUndefined(byPoint.verify.client)
  })

  test('a source that returns undefined leaves its field out; removed fields are gone', async ({
    client,
    assert,
  }) => {
    const remove = extensions.add('verify', 'maybe_field', async ({ code }) =>
      code === 'VALID' ? undefined : 'not valid'
    )
    const { verifyDevice } = await activatedDevice(client)
    try {
      assert.notProperty((await verifyDevice()).body(), 'maybe_field')
    } finally {
      remove()
    }
    // The fields the enabled plugins added at boot come first.
    const atBoot = extensions.fieldsOf('verify').filter((field) => field !== 'maybe_field')
    const kept = extensions.add('verify', 'always', async () => 1)
    remove()
    assert.deepEqual(
      extensions.fieldsOf('verify'),
      [...atBoot, 'always'],
      'an old undo removes nothing else'
    )
    kept()
    assert.deepEqual(extensions.fieldsOf('verify'), atBoot)
    assert.deepEqual(Object.keys((await verifyDevice()).body()), [
      'valid',
      'code',
      'license',
      'entitlements',
      'lease',
    ])
  })

  test('a field of the core or of another plugin is refused at registration', ({ assert }) => {
    const source = async () => 1
    assert.throws(
      () => extensions.add('verify', 'lease', source, { owner: 'pools' }),
      `Plugin "pools" cannot add "lease" to verify: the core's answer has a field of that name`
    )
    assert.throws(
      () => extensions.add('session_start', 'session_token', source),
      /cannot add "session_token" to session_start: the core's answer has a field/
    )
    assert.throws(() => extensions.add('lease', 'exp', source), /core's answer/)
    assert.throws(() => extensions.add('lease', 'nbf', source), /core's answer/)
    assert.throws(() => extensions.add('verify', 'seatPool', source), /snake_case/)

    const remove = extensions.add('verify', 'seat_pool', source, { owner: 'pools' })
    try {
      assert.throws(
        () => extensions.add('verify', 'seat_pool', source, { owner: 'entitlements' }),
        'Plugin "entitlements" cannot add "seat_pool" to verify: plugin "pools" added it already'
      )
      // The same name at another point is another field.
      extensions.add('lease', 'seat_pool', source)()
    } finally {
      remove()
    }
  })

  test('a source that throws at session start rolls the start back', async ({
    client,
    assert,
    cleanup,
  }) => {
    cleanup(
      extensions.add('session_start', 'broken', async () => {
        throw new Error('pool service down')
      })
    )
    const { license, device } = await activatedDevice(client)
    const api = new SessionClient(client, apiKey, license.key)
    const started = await api.start(device)
    started.assertStatus(500)
    const { default: db } = await import('@adonisjs/lucid/services/db')
    const live = await db.from('license_sessions').where('license_id', license.id)
    assert.lengthOf(live, 0)
  })
})
