import { generateKeyPairSync, sign } from 'node:crypto'
import { test } from '@japa/runner'
import { ApiError, LicenseClient, MemoryStore, type PublicKey } from '../../sdk/src/index.ts'
import { thumbprint } from '../../sdk/src/lease.ts'

const LICENSE_KEY = 'K7QM-2XWD-9FHT-4RPA'
const FINGERPRINT = 'kw1-unit-sdk-device'
const ISSUED = Date.parse('2026-12-01T10:00:00.000Z')
const SESSION_TOKEN = 'uCdHJJukTgKUMnqoavnuECJpQp6P7VK5VvpTpCTaUj8'

type Answer = { status: number; body: unknown; headers?: Record<string, string> } | 'unreachable'
type Sent = { method: string; path: string; body: any }

/**
 * A stand-in for the server that answers as docs/api.md says: each test
 * queues the answers of one path, and every request sent is kept. The
 * lease it signs is a real one, so the SDK's offline judgement runs as it
 * does against the real server.
 */
class ContractServer {
  readonly sent: Sent[] = []
  protected keys = generateKeyPairSync('ed25519')
  protected x = this.keys.publicKey.export({ format: 'jwk' }).x!
  protected kid = thumbprint(this.x)
  protected answers = new Map<string, Answer[]>()

  answer(path: string, ...answers: Answer[]) {
    this.answers.set(path, [...(this.answers.get(path) ?? []), ...answers])
  }

  /** A session start's answer: a new session, with `fields` (its entitlements, a lease). */
  sessionStarted(fields: Record<string, unknown>): Answer {
    return {
      status: 201,
      body: {
        session_token: SESSION_TOKEN,
        resumed: false,
        heartbeat_interval: 30,
        session_timeout: 60,
        expires_at: '2026-12-01T10:02:00.000Z',
        ...fields,
      },
    }
  }

  publicKey(): PublicKey {
    return { kid: this.kid, kty: 'OKP', crv: 'Ed25519', x: this.x }
  }

  lease(claims: Record<string, unknown>) {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
    const validUntil =
      (claims.valid_until as string) ?? new Date(ISSUED + 7 * 86400_000).toISOString()
    const signed = `${encode({ alg: 'EdDSA', typ: 'JWT', kid: this.kid })}.${encode({
      license_key: LICENSE_KEY,
      product: 'demo',
      fingerprint: FINGERPRINT,
      features: {},
      license_expires_at: null,
      issued_at: new Date(ISSUED).toISOString(),
      valid_until: validUntil,
      iat: Math.floor(ISSUED / 1000),
      exp: Math.floor(Date.parse(validUntil) / 1000),
      ...claims,
    })}`
    return `${signed}.${sign(null, Buffer.from(signed), this.keys.privateKey).toString('base64url')}`
  }

  fetch: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(String(input))
    const body = init?.body ? JSON.parse(String(init.body)) : null
    this.sent.push({ method: init?.method ?? 'GET', path: url.pathname, body })
    if (url.pathname === '/api/keys/public') {
      return Response.json({ active_kid: this.kid, keys: [this.publicKey()] })
    }
    const answer = this.answers.get(url.pathname)?.shift()
    if (!answer) throw new Error(`no answer queued for ${url.pathname}`)
    if (answer === 'unreachable') throw new TypeError('fetch failed')
    return Response.json(answer.body, { status: answer.status, headers: answer.headers })
  }

  sentTo(path: string) {
    return this.sent.filter((request) => request.path === path)
  }
}

function clientOf(
  server: ContractServer,
  now = () => ISSUED + 60_000,
  store: MemoryStore = new MemoryStore()
) {
  return new LicenseClient({
    baseUrl: 'http://keyward.test',
    apiKey: 'AF-2026-TEST',
    licenseKey: LICENSE_KEY,
    fingerprint: FINGERPRINT,
    store,
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 },
    now,
    fetch: server.fetch,
  })
}

const licenseView = (overrides: Record<string, unknown> = {}) => ({
  key: LICENSE_KEY,
  status: 'active',
  product: 'demo',
  type: '1m',
  expires_at: '2026-12-20T10:00:00.000Z',
  max_devices: 2,
  max_sessions: 1,
  session_policy: 'resumable',
  devices_in_use: 1,
  features: {},
  grace_ends_at: null,
  ...overrides,
})

const recorded = {
  meter: 'exports',
  amount: 1,
  used: 7,
  limit: 50,
  remaining: 43,
  resets_at: '2027-01-01T00:00:00.000Z',
  over_limit: false,
  recorded_at: '2026-12-01T10:01:00.000Z',
}

test.group('SDK recordUsage', () => {
  test('one idempotency key for a call and all its retries, through a lost answer and a 503', async ({
    assert,
  }) => {
    const server = new ContractServer()
    server.answer(
      '/api/license/usage',
      'unreachable',
      { status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE', message: 'later' } } },
      { status: 201, body: recorded, headers: { 'Idempotent-Replayed': 'true' } }
    )
    const record = await clientOf(server).recordUsage('exports')

    const sent = server.sentTo('/api/license/usage')
    assert.lengthOf(sent, 3)
    const key = sent[0].body.idempotency_key
    assert.match(key, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    assert.deepEqual(
      sent.map((request) => request.body),
      sent.map(() => ({
        license_key: LICENSE_KEY,
        meter: 'exports',
        amount: 1,
        idempotency_key: key,
      }))
    )
    assert.deepEqual(record, {
      meter: 'exports',
      amount: 1,
      used: 7,
      limit: 50,
      remaining: 43,
      resetsAt: '2027-01-01T00:00:00.000Z',
      overLimit: false,
      recordedAt: '2026-12-01T10:01:00.000Z',
      idempotencyKey: key,
      replayed: true,
    })
  })

  test('each logical call has its own key; a key of the caller is sent as given', async ({
    assert,
  }) => {
    const server = new ContractServer()
    const unlimited = { ...recorded, amount: 5, limit: null, remaining: null, resets_at: null }
    server.answer(
      '/api/license/usage',
      { status: 201, body: recorded },
      { status: 201, body: recorded },
      { status: 201, body: unlimited }
    )
    const client = clientOf(server)
    const first = await client.recordUsage('exports')
    const second = await client.recordUsage('exports')
    const own = await client.recordUsage('exports', 5, { idempotencyKey: 'order-4711' })

    assert.notEqual(first.idempotencyKey, second.idempotencyKey)
    assert.isFalse(first.replayed)
    assert.equal(server.sentTo('/api/license/usage')[2].body.idempotency_key, 'order-4711')
    assert.equal(server.sentTo('/api/license/usage')[2].body.amount, 5)
    assert.include(own, { idempotencyKey: 'order-4711', limit: null, remaining: null })
    assert.isNull(own.resetsAt)
  })

  test('a refusal at the limit is not retried and carries limit, used and resets_at', async ({
    assert,
  }) => {
    const server = new ContractServer()
    server.answer('/api/license/usage', {
      status: 409,
      body: {
        error: {
          code: 'USAGE_LIMIT_REACHED',
          message: 'used up',
          limit: 50,
          used: 50,
          resets_at: '2027-01-01T00:00:00.000Z',
        },
      },
    })
    const error = await clientOf(server)
      .recordUsage('exports')
      .catch((failure) => failure)
    assert.instanceOf(error, ApiError)
    assert.equal(error.code, 'USAGE_LIMIT_REACHED')
    assert.equal(error.status, 409)
    assert.deepEqual(error.details, { limit: 50, used: 50, resets_at: '2027-01-01T00:00:00.000Z' })
    assert.lengthOf(server.sentTo('/api/license/usage'), 1)
  })

  test('a rate limit is waited out and retried; the retries stop after `attempts`', async ({
    assert,
  }) => {
    const server = new ContractServer()
    const rateLimited = {
      status: 429,
      body: { error: { code: 'RATE_LIMITED', message: 'slow down' } },
    }
    server.answer('/api/license/usage', rateLimited, { status: 201, body: recorded })
    assert.equal((await clientOf(server).recordUsage('exports')).used, 7)

    const down = new ContractServer()
    down.answer('/api/license/usage', 'unreachable', 'unreachable', 'unreachable', 'unreachable')
    const error = await clientOf(down)
      .recordUsage('exports')
      .catch((failure) => failure)
    assert.equal(error.code, 'NETWORK_ERROR')
    assert.lengthOf(down.sentTo('/api/license/usage'), 4)
  })

  test('usage() reads every meter', async ({ assert }) => {
    const server = new ContractServer()
    server.answer(`/api/license/usage/${LICENSE_KEY}`, {
      status: 200,
      body: {
        license_key: LICENSE_KEY,
        meters: [
          {
            meter: 'exports',
            name: 'Exports',
            period: 'month',
            used: 51,
            limit: 50,
            remaining: 0,
            resets_at: '2027-01-01T00:00:00.000Z',
            overage: 1,
          },
          {
            meter: 'api_calls',
            name: 'API calls',
            period: 'none',
            used: 3,
            limit: null,
            remaining: null,
            resets_at: null,
            overage: 0,
          },
        ],
      },
    })
    assert.deepEqual(await clientOf(server).usage(), [
      {
        meter: 'exports',
        name: 'Exports',
        period: 'month',
        used: 51,
        limit: 50,
        remaining: 0,
        resetsAt: '2027-01-01T00:00:00.000Z',
        overage: 1,
      },
      {
        meter: 'api_calls',
        name: 'API calls',
        period: 'none',
        used: 3,
        limit: null,
        remaining: null,
        resetsAt: null,
        overage: 0,
      },
    ])
  })
})

test.group('SDK entitlements', () => {
  test('hasEntitlement answers from the last verify, and offline from the lease', async ({
    assert,
  }) => {
    const server = new ContractServer()
    const entitlements = ['export_pdf', 'sync']
    server.answer(
      '/api/license/verify',
      {
        status: 200,
        body: {
          valid: true,
          code: 'VALID',
          license: licenseView(),
          entitlements,
          lease: server.lease({ entitlements, status: 'active', grace_ends_at: null }),
        },
      },
      'unreachable'
    )
    const store = new MemoryStore()
    const client = clientOf(server, undefined, store)
    assert.isFalse(client.hasEntitlement('export_pdf'), 'nothing is known before an answer')

    const online = await client.verify()
    assert.deepEqual(online.entitlements, entitlements)
    assert.isTrue(client.hasEntitlement('export_pdf'))
    assert.isFalse(client.hasEntitlement('admin'))

    // A program started again while the server is away: the lease is all it has.
    const restarted = clientOf(server, undefined, store)
    const offline = await restarted.verify()
    assert.include(offline, { valid: true, offline: true, status: 'active' })
    assert.deepEqual(offline.entitlements, entitlements)
    assert.isTrue(restarted.hasEntitlement('sync'))
  })

  test('session start brings entitlements; a definitive refusal takes them away', async ({
    assert,
  }) => {
    const server = new ContractServer()
    server.answer(
      '/api/license/session/start',
      server.sessionStarted({ entitlements: ['export_pdf'] })
    )
    server.answer('/api/license/entitlements/check', {
      status: 403,
      body: { error: { code: 'LICENSE_SUSPENDED', message: 'suspended' } },
    })
    const client = clientOf(server)
    const session = await client.startSession()
    client.close()
    assert.deepEqual(session.entitlements, ['export_pdf'])
    assert.isNull(session.graceEndsAt)
    assert.isTrue(client.hasEntitlement('export_pdf'))
    assert.equal(client.licenseStatus, 'active')

    const error = await client.checkEntitlements(['export_pdf']).catch((failure) => failure)
    assert.equal(error.code, 'LICENSE_SUSPENDED')
    assert.isFalse(client.hasEntitlement('export_pdf'))
    assert.isNull(client.licenseStatus)
  })

  test('checkEntitlements: all present, or which are missing (an answer, not an error)', async ({
    assert,
  }) => {
    const server = new ContractServer()
    server.answer(
      '/api/license/entitlements/check',
      { status: 200, body: { ok: true, entitlements: ['export_pdf', 'sync'] } },
      {
        status: 403,
        body: {
          error: { code: 'ENTITLEMENTS_MISSING', message: 'missing', missing: ['sync'] },
        },
      }
    )
    const client = clientOf(server)
    assert.deepEqual(await client.checkEntitlements(['export_pdf']), {
      ok: true,
      missing: [],
      entitlements: ['export_pdf', 'sync'],
    })
    assert.isTrue(client.hasEntitlement('sync'))
    assert.deepEqual(server.sentTo('/api/license/entitlements/check')[0].body, {
      license_key: LICENSE_KEY,
      entitlements: ['export_pdf'],
    })

    assert.deepEqual(await client.checkEntitlements(['export_pdf', 'sync']), {
      ok: false,
      missing: ['sync'],
      entitlements: null,
    })
    assert.isFalse(client.hasEntitlement('sync'), 'withdrawn since the last answer')
    assert.isTrue(client.hasEntitlement('export_pdf'))
  })
})

test.group('SDK grace state', () => {
  test('an answer in grace sets status and graceEndsAt and emits `grace` once per change', async ({
    assert,
  }) => {
    const server = new ContractServer()
    const graceEndsAt = '2026-12-08T10:00:00.000Z'
    const inGrace = {
      status: 200,
      body: {
        valid: true,
        code: 'VALID',
        license: licenseView({
          status: 'grace',
          expires_at: '2026-12-01T09:00:00.000Z',
          grace_ends_at: graceEndsAt,
        }),
        entitlements: [],
      },
    }
    server.answer('/api/license/verify', inGrace, inGrace)
    const client = clientOf(server)
    const nags: Array<{ graceEndsAt: string }> = []
    client.on('grace', (event) => nags.push(event))

    const result = await client.verify()
    assert.include(result, { valid: true, code: 'VALID', status: 'grace', graceEndsAt })
    await client.verify()
    assert.deepEqual(nags, [{ graceEndsAt }])
    assert.equal(client.licenseStatus, 'grace')
    assert.equal(client.graceEndsAt, graceEndsAt)
  })

  test('offline, a lease past the license expiry is in grace until its valid_until', async ({
    assert,
  }) => {
    const server = new ContractServer()
    const expiry = '2026-12-02T10:00:00.000Z'
    const graceEnds = '2026-12-05T10:00:00.000Z'
    server.answer(
      '/api/license/verify',
      {
        status: 200,
        body: {
          valid: true,
          code: 'VALID',
          license: licenseView({ expires_at: expiry, grace_ends_at: graceEnds }),
          entitlements: ['sync'],
          lease: server.lease({
            license_expires_at: expiry,
            valid_until: graceEnds,
            entitlements: ['sync'],
            status: 'active',
            grace_ends_at: graceEnds,
          }),
        },
      },
      'unreachable',
      'unreachable'
    )
    let now = ISSUED + 60_000
    const client = clientOf(server, () => now)
    const nags: string[] = []
    client.on('grace', ({ graceEndsAt }) => nags.push(graceEndsAt))
    assert.equal((await client.verify()).status, 'active')

    now = Date.parse(expiry) + 3600_000
    const inGrace = await client.verify()
    assert.include(inGrace, { valid: true, offline: true, status: 'grace', graceEndsAt: graceEnds })
    assert.deepEqual(nags, [graceEnds])

    now = Date.parse(graceEnds) + 1000
    const over = await client.verify()
    assert.include(over, { valid: false, code: 'LEASE_EXPIRED', status: null })
    assert.isFalse(client.hasEntitlement('sync'))
  })
})

test.group('SDK transfers and deactivation', () => {
  test('transfer moves a binding to this device by default', async ({ assert }) => {
    const server = new ContractServer()
    server.answer('/api/license/transfer', {
      status: 200,
      body: {
        transferred: true,
        device: { fingerprint: FINGERPRINT, name: 'New PC', active: true },
        transfers_left: 2,
        next_transfer_at: '2026-12-02T10:00:00.000Z',
      },
    })
    const result = await clientOf(server).transfer({
      fromFingerprint: 'kw1-old-machine',
      deviceName: 'New PC',
    })
    assert.deepEqual(server.sentTo('/api/license/transfer')[0].body, {
      license_key: LICENSE_KEY,
      from_fingerprint: 'kw1-old-machine',
      to_fingerprint: FINGERPRINT,
      device_name: 'New PC',
    })
    assert.deepEqual(result, {
      device: { fingerprint: FINGERPRINT, name: 'New PC', active: true },
      transfersLeft: 2,
      nextTransferAt: '2026-12-02T10:00:00.000Z',
    })
  })

  test('moving this device away ends its session here and deletes its lease', async ({
    assert,
  }) => {
    const server = new ContractServer()
    server.answer(
      '/api/license/session/start',
      server.sessionStarted({
        entitlements: ['sync'],
        lease: server.lease({ entitlements: ['sync'] }),
      })
    )
    server.answer('/api/license/transfer', {
      status: 200,
      body: { transferred: true, device: {}, transfers_left: null, next_transfer_at: null },
    })
    const client = clientOf(server)
    await client.startSession()
    assert.isTrue((await client.verifyOffline()).valid)

    const result = await client.transfer({
      fromFingerprint: FINGERPRINT,
      toFingerprint: 'kw1-new-machine',
    })
    assert.deepEqual(result, { device: {}, transfersLeft: null, nextTransferAt: null })
    assert.isNull(client.sessionToken)
    assert.equal((await client.verifyOffline()).code, 'LEASE_MISSING')
    assert.isFalse(client.hasEntitlement('sync'))
  })

  test('a deactivation refused by the cooldown keeps the session and the lease', async ({
    assert,
  }) => {
    const server = new ContractServer()
    server.answer(
      '/api/license/session/start',
      server.sessionStarted({ entitlements: [], lease: server.lease({}) })
    )
    server.answer(
      '/api/license/deactivate',
      {
        status: 429,
        body: {
          error: {
            code: 'TRANSFER_COOLDOWN',
            message: 'too soon',
            retry_at: '2026-12-01T11:00:00.000Z',
          },
        },
        headers: { 'Retry-After': '3540' },
      },
      { status: 200, body: { deactivated: true } }
    )
    const client = clientOf(server)
    await client.startSession()

    const error = await client.deactivate().catch((failure) => failure)
    assert.instanceOf(error, ApiError)
    assert.include(error, { code: 'TRANSFER_COOLDOWN', status: 429, retryAfter: 3540 })
    assert.equal(error.details.retry_at, '2026-12-01T11:00:00.000Z')
    assert.equal(client.sessionToken, SESSION_TOKEN)
    assert.isTrue((await client.verifyOffline()).valid)
    assert.lengthOf(server.sentTo('/api/license/deactivate'), 1, 'a cooldown is not retried')

    await client.deactivate()
    assert.isNull(client.sessionToken)
    assert.equal((await client.verifyOffline()).code, 'LEASE_MISSING')
  })
})
