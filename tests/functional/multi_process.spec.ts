import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import limiter from '@adonisjs/limiter/services/main'
import Device from '#models/device'
import { baseUrl, createLicense, fingerprint, newApiKey } from '#tests/support/fixtures'
import { startServerProcess } from '#tests/support/server_process'

/**
 * Limits must hold with several server processes on one database and one
 * Redis: here the test's own server and a second, separate process.
 */
test.group('Several server processes', (group) => {
  let apiKey: string
  let other: Awaited<ReturnType<typeof startServerProcess>>

  /**
   * Both processes count with the same setting, so they share one Redis key.
   */
  const rateLimit = { requests: 30, durationSeconds: 60 }
  const counter = () =>
    limiter.use({ requests: rateLimit.requests, duration: rateLimit.durationSeconds })

  group.each.timeout(60_000)
  group.setup(async () => {
    apiKey = await newApiKey()
    other = await startServerProcess({ API_RATE_LIMIT: '30 per minute' })
    return () => other.stop()
  })
  group.each.setup(async () => {
    await counter().delete('api_ip_127.0.0.1')
    return async () => {
      await counter().delete('api_ip_127.0.0.1')
    }
  })

  test('activations racing through two processes never exceed max_devices', async ({ assert }) => {
    const license = await createLicense({ maxDevices: 4 })
    const responses = await Promise.all(
      Array.from({ length: 24 }, (_, index) =>
        fetch(`${index % 2 === 0 ? baseUrl() : other.url}/api/license/activate`, {
          method: 'POST',
          headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
          body: JSON.stringify({ license_key: license.key, hardware_fingerprint: fingerprint() }),
        })
      )
    )
    const statuses = responses.map((response) => response.status)
    assert.equal(statuses.filter((status) => status === 201).length, 4)
    assert.equal(statuses.filter((status) => status === 409).length, 20)
    assert.lengthOf(await Device.query().where({ licenseId: license.id, active: true }), 4)
  })

  test('the rate limit is one budget shared by both processes', async ({ assert, cleanup }) => {
    app.config.set('api.rateLimit', rateLimit)
    cleanup(() => app.config.set('api.rateLimit', null))

    const statuses: number[] = []
    for (let index = 0; index < 32; index++) {
      const url = index % 2 === 0 ? baseUrl() : other.url
      const response = await fetch(`${url}/api/stats`, { headers: { 'x-api-key': apiKey } })
      statuses.push(response.status)
    }
    assert.deepEqual(statuses.slice(0, 30), Array(30).fill(200))
    assert.deepEqual(statuses.slice(30), [429, 429])
  })
})

test.group('Redis unavailable', () => {
  test('the client API and sessions keep answering; the rate limit lets requests through', async ({
    assert,
    cleanup,
  }) => {
    const apiKey = await newApiKey()
    const license = await createLicense()
    const cut = await startServerProcess({
      API_RATE_LIMIT: '2 per minute',
      REDIS_URL: 'redis://127.0.0.1:1/0',
    })
    cleanup(() => cut.stop())

    const statuses: number[] = []
    for (let index = 0; index < 4; index++) {
      const response = await fetch(`${cut.url}/api/license/verify`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ license_key: license.key }),
      })
      statuses.push(response.status)
    }
    assert.deepEqual(statuses, [200, 200, 200, 200])

    // Sessions need nothing from Redis either.
    const call = (path: string, body: Record<string, unknown>) =>
      fetch(`${cut.url}/api/license/session/${path}`, {
        method: 'POST',
        headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const started = await call('start', {
      license_key: license.key,
      hardware_fingerprint: fingerprint(),
    })
    assert.equal(started.status, 201)
    const { session_token: token } = (await started.json()) as { session_token: string }
    const beat = await call('heartbeat', { session_token: token, license_key: license.key })
    assert.equal(beat.status, 200)
    const ended = await call('end', { session_token: token })
    assert.equal(ended.status, 200)
  }).timeout(60_000)
})
