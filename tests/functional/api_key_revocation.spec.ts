import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import ApiKeyService from '#services/api_key_service'
import ApiKeyCache from '#services/api_key_cache'
import { cliActor } from '#support/actor'
import { baseUrl, createApiKey, createLicense } from '#tests/support/fixtures'
import { startServerProcess, type ServerProcess } from '#tests/support/server_process'

/** A verify through `url` with `apiKey`: its status. */
async function verifyStatus(url: string, apiKey: string, licenseKey: string) {
  const response = await fetch(`${url}/api/license/verify`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify({ license_key: licenseKey }),
  })
  await response.arrayBuffer()
  return response.status
}

/** Milliseconds until `url` refuses the key (401), asking every 20 ms; fails after 5 s. */
async function millisecondsUntilRefused(url: string, apiKey: string, licenseKey: string) {
  const started = performance.now()
  while (performance.now() - started < 5000) {
    if ((await verifyStatus(url, apiKey, licenseKey)) === 401) return performance.now() - started
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`${url} still accepts the revoked key after 5 s`)
}

/**
 * Each server process keeps the API keys it authenticated in memory
 * (ApiKeyCache); a revocation must still apply everywhere at once.
 */
test.group('API key revocation across processes', (group) => {
  let servers: ServerProcess[] = []
  group.each.timeout(90_000)
  group.setup(async () => {
    // A cache time far above a second: only the revocation message can make them refuse in time.
    servers = await Promise.all(
      [1, 2, 3].map(() => startServerProcess({ API_KEY_CACHE_MS: '60000', API_RATE_LIMIT: '0' }))
    )
    return async () => {
      await Promise.all(servers.map((server) => server.stop()))
    }
  })

  test('a key revoked through Keyward is refused by all three processes within a second', async ({
    assert,
  }) => {
    const license = await createLicense()
    const { key, apiKey } = await createApiKey()
    const urls = servers.map((server) => server.url)
    // Each process has authenticated (and so cached) the key.
    for (const url of urls) assert.equal(await verifyStatus(url, key, license.key), 200)
    for (const url of urls) assert.equal(await verifyStatus(url, key, license.key), 200)

    await app.container
      .make(ApiKeyService)
      .then((service) => service.revoke(apiKey.id, cliActor('tests')))

    const waits = await Promise.all(
      urls.map((url) => millisecondsUntilRefused(url, key, license.key))
    )
    for (const wait of waits) assert.isBelow(wait, 1000)
    // And this process, which revoked it, refuses it at once.
    assert.equal(await verifyStatus(baseUrl(), key, license.key), 401)
  })

  test('another key of the same processes keeps working', async ({ assert }) => {
    const license = await createLicense()
    const doomed = await createApiKey()
    const kept = await createApiKey()
    for (const server of servers) {
      assert.equal(await verifyStatus(server.url, doomed.key, license.key), 200)
      assert.equal(await verifyStatus(server.url, kept.key, license.key), 200)
    }
    await app.container
      .make(ApiKeyService)
      .then((service) => service.revoke(doomed.apiKey.id, cliActor('tests')))
    for (const server of servers) {
      await millisecondsUntilRefused(server.url, doomed.key, license.key)
      assert.equal(await verifyStatus(server.url, kept.key, license.key), 200)
    }
  })
})

test.group('API key cache bound', (group) => {
  group.each.timeout(60_000)

  test("a key revoked behind Keyward's back (SQL) is refused once the cache time has passed", async ({
    assert,
    cleanup,
  }) => {
    const server = await startServerProcess({ API_KEY_CACHE_MS: '300', API_RATE_LIMIT: '0' })
    cleanup(() => server.stop())
    const license = await createLicense()
    const { key, apiKey } = await createApiKey()
    assert.equal(await verifyStatus(server.url, key, license.key), 200)

    // No announcement: only the cache time ends the key's life in that process.
    await db.from('api_keys').where('id', apiKey.id).update({ revoked_at: new Date() })
    const wait = await millisecondsUntilRefused(server.url, key, license.key)
    assert.isBelow(wait, 1000)
  })

  test('a process that cannot hear revocations (no Redis) asks the database every time', async ({
    assert,
    cleanup,
  }) => {
    const server = await startServerProcess({
      API_KEY_CACHE_MS: '60000',
      API_RATE_LIMIT: '0',
      REDIS_URL: 'redis://127.0.0.1:1/0',
    })
    cleanup(() => server.stop())
    const license = await createLicense()
    const { key, apiKey } = await createApiKey()
    assert.equal(await verifyStatus(server.url, key, license.key), 200)
    assert.equal(await verifyStatus(server.url, key, license.key), 200)

    await db.from('api_keys').where('id', apiKey.id).update({ revoked_at: new Date() })
    assert.equal(await verifyStatus(server.url, key, license.key), 401)
  })

  test('this process caches while subscribed, and revoking drops the key from its memory', async ({
    assert,
  }) => {
    const cache = await app.container.make(ApiKeyCache)
    assert.isTrue(cache.live)
    const license = await createLicense()
    const { key, apiKey } = await createApiKey()
    assert.equal(await verifyStatus(baseUrl(), key, license.key), 200)
    assert.isAbove(cache.size, 0)
    await app.container
      .make(ApiKeyService)
      .then((service) => service.revoke(apiKey.id, cliActor('tests')))
    assert.equal(await verifyStatus(baseUrl(), key, license.key), 401)
  })
})
