import { createPublicKey, verify } from 'node:crypto'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import ace from '@adonisjs/core/services/ace'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import AuditLog from '#models/audit_log'
import Product from '#models/product'
import {
  encodeKeyringForEnv,
  endorsementMessage,
  LeaseKeyring,
  rotated,
  generateKey,
  parseKeyring,
  type PublishedKey,
} from '#services/lease_keyring'
import { createLicense, createProduct, fingerprint, newApiKey } from '#tests/support/fixtures'
import { restoreClock, SessionClient, useFixedClock } from '#tests/support/sessions'
import { decodeLease, leaseVerifies } from '#tests/support/leases'
import KeysRotate from '../../app/commands/keys_rotate.ts'

test.group('Signed leases', (group) => {
  let apiKey: string
  group.setup(async () => {
    apiKey = await newApiKey()
  })
  group.each.teardown(() => restoreClock())

  async function activated(overrides: Parameters<typeof createLicense>[0] = {}) {
    const license = await createLicense({
      type: 'perpetual',
      features: { pro: true },
      ...overrides,
    })
    await license.load('product')
    const device = fingerprint()
    return { license, device }
  }

  const publicKeys = async (client: any) =>
    (await client.get('/api/keys/public').header('X-API-Key', apiKey)).body().keys as PublishedKey[]

  test('verify returns a lease for an active device, signed with the published key', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock(DateTime.fromISO('2026-11-23T10:00:00Z'))
    const { license, device } = await activated()
    await client
      .post('/api/license/activate')
      .header('X-API-Key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: device })
    clock.advance({ minutes: 5 })

    const response = await client
      .post('/api/license/verify')
      .header('X-API-Key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: device })
    response.assertStatus(200)
    const { lease } = response.body()
    const { header, claims } = decodeLease(lease)
    assert.deepEqual(header.alg, 'EdDSA')
    assert.deepEqual(claims, {
      license_key: license.key,
      product: license.product.slug,
      fingerprint: device,
      features: { pro: true },
      entitlements: [],
      status: 'active',
      license_expires_at: null,
      grace_ends_at: null,
      issued_at: '2026-11-23T10:05:00.000Z',
      valid_until: '2026-11-30T10:05:00.000Z',
      iat: Date.parse('2026-11-23T10:05:00Z') / 1000,
      exp: Date.parse('2026-11-30T10:05:00Z') / 1000,
    })

    const keys = await publicKeys(client)
    assert.equal(header.kid, keys.find((key) => key.status === 'active')!.kid)
    assert.isTrue(leaseVerifies(lease, keys))
    const [head, payload, signature] = lease.split('.')
    const extended = Buffer.from(
      JSON.stringify({ ...claims, valid_until: '2030-01-01T00:00:00.000Z' })
    ).toString('base64url')
    assert.isFalse(leaseVerifies(`${head}.${extended}.${signature}`, keys))
    const at = 10
    const flipped = payload.slice(0, at) + (payload[at] === 'A' ? 'B' : 'A') + payload.slice(at + 1)
    assert.isFalse(leaseVerifies(`${head}.${flipped}.${signature}`, keys))
  })

  test('a lease never outlives the license, and follows the product grace', async ({
    client,
    assert,
  }) => {
    useFixedClock(DateTime.fromISO('2026-11-23T10:00:00Z'))
    const expiresAt = DateTime.fromISO('2026-11-25T00:00:00Z')
    const short = await activated({ type: '1m', expiryBasis: 'creation', expiresAt })
    const started = await new SessionClient(client, apiKey, short.license.key).start(short.device)
    started.assertStatus(201)
    const { claims } = decodeLease(started.body().lease)
    assert.equal(claims.valid_until, '2026-11-25T00:00:00.000Z')
    assert.equal(claims.license_expires_at, '2026-11-25T00:00:00.000Z')

    const product = await createProduct()
    product.offlineGraceSeconds = 3600
    await product.save()
    const hourly = await activated({ productId: product.id })
    const beat = await new SessionClient(client, apiKey, hourly.license.key).start(hourly.device)
    assert.equal(decodeLease(beat.body().lease).claims.valid_until, '2026-11-23T11:00:00.000Z')

    product.offlineGraceSeconds = 0
    await product.save()
    const offlineOff = await activated({ productId: product.id })
    const none = await new SessionClient(client, apiKey, offlineOff.license.key).start(
      offlineOff.device
    )
    none.assertStatus(201)
    assert.notProperty(none.body(), 'lease')
  })

  test('a resumed session gets a fresh lease; refusals and unknown devices get none', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock(DateTime.fromISO('2026-11-23T10:00:00Z'))
    const { license, device } = await activated({ sessionPolicy: 'resumable' })
    const api = new SessionClient(client, apiKey, license.key)
    const first = await api.start(device)
    clock.advance({ seconds: 10 })
    const again = await api.start(device)
    again.assertStatus(200)
    assert.isTrue(again.body().resumed)
    assert.equal(decodeLease(again.body().lease).claims.issued_at, '2026-11-23T10:00:10.000Z')
    assert.notEqual(again.body().lease, first.body().lease)

    const verifyCall = (body: Record<string, unknown>) =>
      client.post('/api/license/verify').header('X-API-Key', apiKey).json(body)
    const noDevice = await verifyCall({ license_key: license.key })
    assert.notProperty(noDevice.body(), 'lease')
    const otherDevice = await verifyCall({
      license_key: license.key,
      hardware_fingerprint: 'fp-other-1',
    })
    assert.equal(otherDevice.body().code, 'DEVICE_NOT_ACTIVATED')
    assert.notProperty(otherDevice.body(), 'lease')

    license.status = 'suspended'
    await license.save()
    const suspended = await verifyCall({ license_key: license.key, hardware_fingerprint: device })
    assert.equal(suspended.body().code, 'SUSPENDED')
    assert.notProperty(suspended.body(), 'lease')
  })

  test('the public keys need an API key like the rest of the API', async ({ client }) => {
    const response = await client.get('/api/keys/public')
    response.assertStatus(401)
    response.assertBodyContains({ error: { code: 'INVALID_API_KEY' } })
  })

  test('keys:rotate: new leases use the new key, old leases still verify, the old key vouches for the new one', async ({
    client,
    assert,
  }) => {
    app.config.set('leases.reloadEverySeconds', 0)
    const { license, device } = await activated({ sessionPolicy: 'resumable' })
    const api = new SessionClient(client, apiKey, license.key)
    const before = (await api.start(device)).body().lease
    const oldKid = decodeLease(before).header.kid

    const command = await ace.create(KeysRotate, [])
    command.ui.switchMode('raw')
    await command.exec()
    assert.equal(command.exitCode, 0)

    const after = (await api.start(device)).body().lease
    const newKid = decodeLease(after).header.kid
    assert.notEqual(newKid, oldKid)
    const keys = await publicKeys(client)
    assert.deepEqual(
      keys.slice(-2).map((key) => [key.kid, key.status]),
      [
        [oldKid, 'retired'],
        [newKid, 'active'],
      ]
    )
    assert.isTrue(leaseVerifies(before, keys))
    assert.isTrue(leaseVerifies(after, keys))

    const newest = keys.at(-1)!
    assert.equal(newest.endorsed_by, oldKid)
    const oldKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: keys.at(-2)!.x },
      format: 'jwk',
    })
    assert.isTrue(
      verify(
        null,
        endorsementMessage(newest.kid, newest.x),
        oldKey,
        Buffer.from(newest.endorsement!, 'base64url')
      )
    )

    const audit = await AuditLog.query().where({ action: 'lease_key.rotated', subjectId: newKid })
    assert.lengthOf(audit, 1)
  }).teardown(() => app.config.set('leases.reloadEverySeconds', 5))
})

test.group('Lease keyring', (group) => {
  let folder: string
  group.each.setup(async () => {
    folder = await mkdtemp(join(tmpdir(), 'keyward-keyring-'))
    return () => rm(folder, { recursive: true, force: true })
  })

  test('is created once on first use, private to its owner, even when processes race', async ({
    assert,
  }) => {
    const path = join(folder, 'nested', 'lease_keys.json')
    const rings = Array.from({ length: 6 }, () => new LeaseKeyring({ path, fromEnv: null }))
    const kids = await Promise.all(rings.map(async (ring) => (await ring.signingKey()).kid))
    assert.lengthOf(new Set(kids), 1)
    assert.equal((await stat(path)).mode & 0o777, 0o600)
    assert.lengthOf(parseKeyring(await readFile(path, 'utf8'), path).keys, 1)
  })

  test('another process notices a rotation', async ({ assert }) => {
    app.config.set('leases.reloadEverySeconds', 0)
    const path = join(folder, 'lease_keys.json')
    const server = new LeaseKeyring({ path, fromEnv: null })
    const before = (await server.signingKey()).kid
    const { added } = await new LeaseKeyring({ path, fromEnv: null }).rotate(new Date())
    assert.equal((await server.signingKey()).kid, added.kid)
    assert.notEqual(added.kid, before)
  }).teardown(() => app.config.set('leases.reloadEverySeconds', 5))

  test('rotations at the same moment, by separate keyrings on one file, each keep their key', async ({
    assert,
  }) => {
    const path = join(folder, `racing_${Date.now()}.json`)
    await new LeaseKeyring({ path, fromEnv: null }).load()
    // Each stands for a process of its own: no shared memory, one file and one Redis.
    const rings = Array.from({ length: 4 }, () => new LeaseKeyring({ path, fromEnv: null }))
    const results = await Promise.all(rings.map((ring) => ring.rotate(new Date())))
    const stored = parseKeyring(await readFile(path, 'utf8'), path)
    assert.lengthOf(stored.keys, 5, 'a rotation was lost')
    assert.sameMembers(
      results.map(({ added }) => added.kid),
      stored.keys.slice(1).map((key) => key.kid)
    )
  })

  test('refuses a damaged keyring instead of replacing it', async ({ assert }) => {
    assert.throws(() => parseKeyring('{not json', 'file'), /not valid JSON/)
    assert.throws(() => parseKeyring('{"version":1,"keys":[]}', 'file'), /holds no keys/)
    const key = generateKey(new Date())
    const wrongKid = JSON.stringify({ version: 1, keys: [{ ...key, kid: 'x'.repeat(43) }] })
    assert.throws(() => parseKeyring(wrongKid, 'file'), /kid does not match/)
  })

  test('rotation drops keys retired over a year ago, never the recent ones', ({ assert }) => {
    const start = new Date('2025-01-01T00:00:00Z')
    let keyring = { version: 1 as const, keys: [generateKey(start)] }
    keyring = rotated(keyring, new Date('2025-06-01T00:00:00Z')).keyring
    const { keyring: later, dropped } = rotated(keyring, new Date('2026-03-01T00:00:00Z'))
    assert.lengthOf(dropped, 0)
    assert.lengthOf(later.keys, 3)
    const { keyring: latest, dropped: gone } = rotated(later, new Date('2026-07-01T00:00:00Z'))
    assert.deepEqual(
      gone.map((key) => key.kid),
      [keyring.keys[0].kid]
    )
    assert.lengthOf(latest.keys, 3)
  })

  test('LEASE_KEYRING: keys come from the environment and rotation writes nothing', async ({
    assert,
  }) => {
    const key = generateKey(new Date())
    const fromEnv = encodeKeyringForEnv({ version: 1, keys: [key] })
    const path = join(folder, 'unused.json')
    const ring = new LeaseKeyring({ path, fromEnv })
    assert.equal((await ring.signingKey()).kid, key.kid)
    const { keyring } = await ring.rotate(new Date())
    assert.lengthOf(keyring.keys, 2)
    await assert.rejects(() => stat(path))
  })
})

test.group('Product offline grace', () => {
  test('the database keeps it within a year', async ({ assert }) => {
    const product = await createProduct()
    await assert.rejects(() =>
      Product.query().where('id', product.id).update({ offline_grace_seconds: 31536001 })
    )
    await assert.rejects(() =>
      Product.query().where('id', product.id).update({ offline_grace_seconds: -1 })
    )
  })
})
