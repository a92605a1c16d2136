import { execFile } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { createLicense, newApiKey } from '#tests/support/fixtures'
import { buildSdk, sdkCall } from '#tests/support/sdk'
import { startServerProcess } from '#tests/support/server_process'

const run = promisify(execFile)

/**
 * Offline grace, with the SDK in processes of its own and a server process
 * the test can stop: the cached lease answers while the server is gone,
 * until `valid_until` (the SDK's clock is injected), and nothing a user
 * can do to the cache or the clock extends it.
 */
test.group('SDK: offline grace from the signed lease', (group) => {
  let apiKey: string
  let configHome: string
  let server: Awaited<ReturnType<typeof startServerProcess>>

  group.setup(async () => {
    await buildSdk()
    apiKey = await newApiKey()
  })
  group.each.setup(async () => {
    configHome = await mkdtemp(join(tmpdir(), 'keyward-sdk-'))
    server = await startServerProcess()
    return async () => {
      await server.stop()
      await rm(configHome, { recursive: true, force: true })
    }
  })
  group.each.timeout(60_000)

  const env = () => ({ XDG_CONFIG_HOME: configHome })

  async function licensed() {
    const license = await createLicense({ type: 'perpetual', features: { seats: 3 } })
    const options = {
      baseUrl: server.url,
      apiKey,
      licenseKey: license.key.toLowerCase(),
      fingerprint: 'kw1-offline-test-machine',
    }
    const activated = await sdkCall('activate', options, env())
    if (!activated.ok) throw new Error(`activation failed: ${activated.code}`)
    return { license, options }
  }

  /** The lease cache file the SDK wrote under XDG_CONFIG_HOME. */
  async function cacheFile() {
    const folder = join(configHome, 'keyward')
    // The SDK's pending security reports sit beside the lease, in a file of their own.
    const files = (await readdir(folder).catch(() => [])).filter(
      (name) => !name.includes('-reports')
    )
    return files.length === 1 ? join(folder, files[0]) : null
  }

  test('verify() works offline from the lease and stops at valid_until; a clock set back is tampering', async ({
    assert,
  }) => {
    const { options } = await licensed()
    const online = await sdkCall('verify', options, env())
    assert.isTrue(online.ok)
    assert.include(online.result, { valid: true, code: 'VALID', offline: false })
    assert.deepEqual(online.result.lease.features, { seats: 3 })
    const issuedAt = Date.parse(online.result.lease.issued_at)
    const validUntil = Date.parse(online.result.lease.valid_until)
    assert.equal(validUntil - issuedAt, 7 * 24 * 3600 * 1000)

    await server.stop()
    const offline = await sdkCall('verify', options, env())
    assert.include(offline.result, { valid: true, code: 'VALID', offline: true })
    assert.deepEqual(offline.result.features, { seats: 3 })

    const lastMinute = await sdkCall('verify', { ...options, now: validUntil - 60_000 }, env())
    assert.include(lastMinute.result, { valid: true, offline: true })
    const after = await sdkCall('verify', { ...options, now: validUntil + 1000 }, env())
    assert.include(after.result, { valid: false, code: 'LEASE_EXPIRED', offline: true })

    // Having seen the last minute of the lease, an earlier clock is a clock set back.
    const setBack = await sdkCall('verify', { ...options, now: validUntil - 3 * 3600_000 }, env())
    assert.include(setBack.result, { valid: false, code: 'CLOCK_TAMPERED' })
    const beforeIssue = await sdkCall('verify', { ...options, now: issuedAt - 3600_000 }, env())
    assert.include(beforeIssue.result, { valid: false, code: 'CLOCK_TAMPERED' })
  })

  test('a lease with one byte changed is refused offline', async ({ assert }) => {
    const { options } = await licensed()
    assert.isTrue((await sdkCall('verify', options, env())).ok)
    await server.stop()

    const path = (await cacheFile())!
    const cached = JSON.parse(await readFile(path, 'utf8'))
    const [header, payload, signature] = cached.lease.split('.')
    const at = Math.floor(payload.length / 2)
    const changed = payload.slice(0, at) + (payload[at] === 'A' ? 'B' : 'A') + payload.slice(at + 1)
    await writeFile(path, JSON.stringify({ ...cached, lease: `${header}.${changed}.${signature}` }))

    const offline = await sdkCall('verify', options, env())
    assert.include(offline.result, { valid: false, code: 'LEASE_INVALID', offline: true })

    await writeFile(path, '{ not json')
    const garbage = await sdkCall('verify', options, env())
    assert.include(garbage.result, { valid: false, code: 'LEASE_INVALID' })
  })

  test('a refusal from the server deletes the cached lease at once', async ({ assert }) => {
    const { license, options } = await licensed()
    assert.isTrue((await sdkCall('verify', options, env())).ok)
    assert.isNotNull(await cacheFile())

    license.status = 'suspended'
    await license.save()
    const refused = await sdkCall('verify', options, env())
    assert.include(refused.result, { valid: false, code: 'SUSPENDED', offline: false })
    assert.isNull(await cacheFile())

    await server.stop()
    const offline = await sdkCall('verify', options, env())
    assert.include(offline.result, { valid: false, code: 'LEASE_MISSING', offline: true })
  })

  test('a revoked license refuses a session start with a typed error and leaves no lease', async ({
    assert,
  }) => {
    const { license, options } = await licensed()
    assert.isTrue((await sdkCall('verify', options, env())).ok)
    license.status = 'revoked'
    await license.save()
    const start = await sdkCall('startSession', options, env())
    assert.deepEqual(start, { ok: false, code: 'LICENSE_REVOKED', name: 'ApiError' })
    assert.isNull(await cacheFile())
  })

  test('after keys:rotate, leases of the old key still verify, and a client pinning the old key accepts the new one', async ({
    assert,
  }) => {
    const { options } = await licensed()
    const keysNow = async () => {
      const response = await fetch(`${server.url}/api/keys/public`, {
        headers: { 'x-api-key': apiKey },
      })
      return (await response.json()) as { active_kid: string; keys: any[] }
    }
    const before = await keysNow()
    const pinned = before.keys.filter((key) => key.kid === before.active_kid)
    assert.isTrue((await sdkCall('verify', { ...options, publicKeys: pinned }, env())).ok)
    const oldCache = await readFile((await cacheFile())!, 'utf8')

    await run(process.execPath, ['ace.ts', 'keys:rotate'], { cwd: app.makePath() })
    // The server process notices the new keyring within its reload interval.
    let after = await keysNow()
    for (let tries = 0; after.active_kid === before.active_kid && tries < 80; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      after = await keysNow()
    }
    assert.notEqual(after.active_kid, before.active_kid)

    const renewed = await sdkCall('verify', { ...options, publicKeys: pinned }, env())
    assert.isNotNull(renewed.result.lease, 'the pinned old key vouches for the new one')
    const newCache = JSON.parse(await readFile((await cacheFile())!, 'utf8'))
    assert.equal(
      JSON.parse(Buffer.from(newCache.lease.split('.')[0], 'base64url').toString()).kid,
      after.active_kid
    )

    await server.stop()
    await writeFile((await cacheFile())!, oldCache)
    const oldLease = await sdkCall('verify', { ...options, publicKeys: pinned }, env())
    assert.include(oldLease.result, { valid: true, offline: true }, JSON.stringify(oldLease))
    const unpinned = await sdkCall('verify', options, env())
    assert.include(unpinned.result, { valid: true, offline: true }, JSON.stringify(unpinned))
  })
})
