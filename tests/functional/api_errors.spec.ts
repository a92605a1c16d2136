import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import limiter from '@adonisjs/limiter/services/main'
import Device from '#models/device'
import ApiKeyService from '#services/api_key_service'
import { cliActor } from '#support/actor'
import type { RateLimit } from '#support/rate_limit'
import {
  createApiKey,
  createLicense,
  fingerprint,
  newApiKey,
  rawRequest,
} from '#tests/support/fixtures'

let apiKey: string

async function rowCounts() {
  const [devices, audit, licenses] = await Promise.all(
    ['devices', 'audit_logs', 'licenses'].map((table) => db.from(table).count('* as total').first())
  )
  return { devices: devices.total, audit: audit.total, licenses: licenses.total }
}

test.group('API keys', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  const cases: [string, Record<string, string>][] = [
    ['missing', {}],
    ['malformed', { 'x-api-key': 'not-a-key' }],
    ['unknown', { 'x-api-key': 'AF-2026-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }],
    ['lower-case', { 'x-api-key': 'af-2026-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }],
  ]
  for (const [name, headers] of cases) {
    test(`a ${name} key is 401 INVALID_API_KEY on every route`, async ({ assert }) => {
      for (const [method, path] of [
        ['POST', '/api/license/activate'],
        ['POST', '/api/license/deactivate'],
        ['POST', '/api/license/verify'],
        ['GET', '/api/license/info/ABCD-ABCD'],
        ['GET', '/api/validate/ABCD-ABCD'],
        ['POST', '/api/activate'],
        ['GET', '/api/stats'],
      ]) {
        const response = await rawRequest(path, {
          method,
          headers,
          body: method === 'POST' ? '{}' : undefined,
        })
        assert.equal(response.status, 401, `${method} ${path}`)
        assert.equal(response.body.error.code, 'INVALID_API_KEY')
      }
    })
  }

  test('without a key nothing else is revealed: unknown paths and bad bodies are 401 too', async ({
    assert,
  }) => {
    for (const [method, path, body] of [
      ['GET', '/api/no-such-route', undefined],
      ['POST', '/api/license/activate', '{bad json'],
      ['POST', '/api/license/activate', JSON.stringify({ padding: 'x'.repeat(70 * 1024) })],
    ] as const) {
      const response = await rawRequest(path, { method, body })
      assert.equal(response.status, 401, `${method} ${path}`)
      assert.equal(response.body.error.code, 'INVALID_API_KEY')
    }
  })

  test('a revoked key is 401, and the key is stored only as a hash', async ({ assert }) => {
    const { key, apiKey: record } = await createApiKey()
    const stored = await db.from('api_keys').where('id', record.id).first()
    assert.notInclude(JSON.stringify(stored), key)
    assert.match(stored.key_hash, /^[0-9a-f]{64}$/)

    const allowed = await rawRequest('/api/stats', { method: 'GET', headers: { 'x-api-key': key } })
    assert.equal(allowed.status, 200)
    const used = await db.from('api_keys').where('id', record.id).first()
    assert.isNotNull(used.last_used_at)

    const apiKeys = await app.container.make(ApiKeyService)
    await apiKeys.revoke(record.id, cliActor('tests'))
    const refused = await rawRequest('/api/stats', { method: 'GET', headers: { 'x-api-key': key } })
    assert.equal(refused.status, 401)
    assert.equal(refused.body.error.code, 'INVALID_API_KEY')
  })
})

test.group('Malformed input', (group) => {
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  test('malformed JSON is 400 INVALID_JSON and writes nothing', async ({ assert }) => {
    const before = await rowCounts()
    for (const body of ['{bad json', '{"license_key": "A"', 'null x', '[1,2', '"unterminated']) {
      const response = await rawRequest('/api/license/activate', {
        body,
        headers: { 'x-api-key': apiKey },
      })
      assert.equal(response.status, 400, body)
      assert.deepEqual(Object.keys(response.body), ['error'])
      assert.equal(response.body.error.code, 'INVALID_JSON')
    }
    assert.deepEqual(await rowCounts(), before)
  })

  test('a body over 64 KiB is 413 PAYLOAD_TOO_LARGE and writes nothing', async ({ assert }) => {
    const license = await createLicense()
    const before = await rowCounts()
    const response = await rawRequest('/api/license/activate', {
      headers: { 'x-api-key': apiKey },
      body: JSON.stringify({
        license_key: license.key,
        hardware_fingerprint: fingerprint(),
        padding: 'x'.repeat(70 * 1024),
      }),
    })
    assert.equal(response.status, 413)
    assert.equal(response.body.error.code, 'PAYLOAD_TOO_LARGE')
    assert.deepEqual(await rowCounts(), before)
  })

  test('an oversized body of any content type is 413, and nothing is stored', async ({
    assert,
  }) => {
    const boundary = 'keywardboundary'
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n` +
      `Content-Type: application/octet-stream\r\n\r\n${'x'.repeat(70 * 1024)}\r\n--${boundary}--\r\n`
    for (const contentType of [
      `multipart/form-data; boundary=${boundary}`,
      'application/x-www-form-urlencoded',
      'text/plain',
    ]) {
      const response = await rawRequest('/api/license/verify', {
        headers: { 'x-api-key': apiKey, 'content-type': contentType },
        body,
      })
      assert.equal(response.status, 413, contentType)
      assert.equal(response.body.error.code, 'PAYLOAD_TOO_LARGE')
    }
  })

  test('machine_id without hardware_hash (or the reverse) is refused, not ignored', async ({
    assert,
  }) => {
    const license = await createLicense()
    for (const [path, part, missing] of [
      ['/api/license/verify', { machine_id: 'machine-1' }, 'hardware_hash'],
      ['/api/license/verify', { hardware_hash: 'hash-1' }, 'machine_id'],
      ['/api/license/activate', { machine_id: 'machine-1' }, 'hardware_hash'],
    ] as const) {
      const response = await rawRequest(path, {
        headers: { 'x-api-key': apiKey },
        body: JSON.stringify({ license_key: license.key, ...part }),
      })
      assert.equal(response.status, 422, `${path} ${JSON.stringify(part)}`)
      assert.include(
        response.body.error.fields.map((entry: { field: string }) => entry.field),
        missing
      )
    }
  })

  test('wrong types and missing fields are 422 with the fields named', async ({ assert }) => {
    const license = await createLicense()
    const before = await rowCounts()
    const cases: [unknown, string, string][] = [
      [{}, 'license_key', 'required'],
      [{ license_key: 123, hardware_fingerprint: 'abcdefgh' }, 'license_key', 'string'],
      [{ license_key: license.key }, 'hardware_fingerprint', 'required'],
      [
        { license_key: license.key, hardware_fingerprint: 'short' },
        'hardware_fingerprint',
        'minLength',
      ],
      [
        { license_key: license.key, hardware_fingerprint: 'x'.repeat(256) },
        'hardware_fingerprint',
        'maxLength',
      ],
      [
        { license_key: license.key, hardware_fingerprint: 'bad\u0000finger' },
        'hardware_fingerprint',
        'regex',
      ],
      [{ license_key: license.key, hardware_fingerprint: ['a'] }, 'hardware_fingerprint', 'string'],
      [
        { license_key: license.key, hardware_fingerprint: { a: 1 } },
        'hardware_fingerprint',
        'string',
      ],
      [
        { license_key: 'has spaces in it', hardware_fingerprint: 'abcdefgh' },
        'license_key',
        'regex',
      ],
      [
        { license_key: license.key, hardware_fingerprint: 'abcdefgh', device_name: 42 },
        'device_name',
        'string',
      ],
    ]
    for (const [body, field, rule] of cases) {
      const response = await rawRequest('/api/license/activate', {
        headers: { 'x-api-key': apiKey },
        body: JSON.stringify(body),
      })
      assert.equal(response.status, 422, JSON.stringify(body))
      assert.equal(response.body.error.code, 'VALIDATION_ERROR')
      assert.isString(response.body.error.message)
      assert.deepInclude(
        response.body.error.fields.map((entry: { field: string; rule: string }) => ({
          field: entry.field,
          rule: entry.rule,
        })),
        { field, rule },
        JSON.stringify(body)
      )
    }
    for (const body of ['[]', '"text"', '42', 'null']) {
      const response = await rawRequest('/api/license/verify', {
        headers: { 'x-api-key': apiKey },
        body,
      })
      assert.oneOf(response.status, [400, 422], body)
    }
    assert.deepEqual(await rowCounts(), before)
  })

  test('a body that is not JSON at all is a validation error, not a crash', async ({ assert }) => {
    const response = await rawRequest('/api/license/verify', {
      headers: { 'x-api-key': apiKey, 'content-type': 'text/plain' },
      body: 'license_key=ABC',
    })
    assert.equal(response.status, 422)
    assert.equal(response.body.error.code, 'VALIDATION_ERROR')
  })

  test('messages follow Accept-Language (en, de)', async ({ assert }) => {
    const german = await rawRequest('/api/license/info/NOPE-NOPE', {
      method: 'GET',
      headers: { 'x-api-key': apiKey, 'accept-language': 'de-DE,de;q=0.9' },
    })
    assert.equal(german.body.error.code, 'LICENSE_NOT_FOUND')
    assert.equal(german.body.error.message, 'Der Lizenzschlüssel wurde nicht gefunden.')

    const english = await rawRequest('/api/license/info/NOPE-NOPE', {
      method: 'GET',
      headers: { 'x-api-key': apiKey, 'accept-language': 'fr' },
    })
    assert.equal(english.body.error.message, 'The license key was not found.')

    const validation = await rawRequest('/api/license/verify', {
      headers: { 'x-api-key': apiKey, 'accept-language': 'de' },
      body: '{}',
    })
    assert.equal(validation.body.error.message, 'Die Anfrage ist ungültig.')
    assert.equal(validation.body.error.fields[0].message, 'Das Feld license_key ist erforderlich.')
  })

  test('unknown routes under /api are 404 NOT_FOUND in the error format', async ({ assert }) => {
    const response = await rawRequest('/api/nothing-here', {
      method: 'GET',
      headers: { 'x-api-key': apiKey },
    })
    assert.equal(response.status, 404)
    assert.equal(response.body.error.code, 'NOT_FOUND')
  })

  test('a refusal names no device or holder', async ({ client, assert }) => {
    const license = await createLicense({ maxDevices: 1 })
    const holder = fingerprint()
    await client
      .post('/api/license/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: holder, device_name: 'Alice PC' })
    const refused = await client
      .post('/api/license/activate')
      .header('x-api-key', apiKey)
      .json({ license_key: license.key, hardware_fingerprint: fingerprint() })
    const text = JSON.stringify(refused.body())
    assert.notInclude(text, holder)
    assert.notInclude(text, 'Alice')
    assert.lengthOf(await Device.query().where('licenseId', license.id), 1)
  })
})

test.group('Rate limit', (group) => {
  const limit: RateLimit = { requests: 5, durationSeconds: 60 }
  const limiterFor = (rateLimit: NonNullable<RateLimit>) =>
    limiter.use({ requests: rateLimit.requests, duration: rateLimit.durationSeconds })

  group.setup(async () => {
    apiKey = await newApiKey()
  })
  group.each.setup(async () => {
    await limiterFor(limit!).delete('api_ip_127.0.0.1')
    app.config.set('api.rateLimit', limit)
    return async () => {
      app.config.set('api.rateLimit', null)
      await limiterFor(limit!).delete('api_ip_127.0.0.1')
    }
  })

  test('past the limit a client IP gets 429 RATE_LIMITED with Retry-After', async ({ assert }) => {
    const statuses: number[] = []
    let last: Awaited<ReturnType<typeof rawRequest>> | undefined
    for (let index = 0; index < 7; index++) {
      last = await rawRequest('/api/stats', { method: 'GET', headers: { 'x-api-key': apiKey } })
      statuses.push(last.status)
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429])
    assert.equal(last!.body.error.code, 'RATE_LIMITED')
    const retryAfter = Number(last!.headers.get('retry-after'))
    assert.isAbove(retryAfter, 0)
    assert.isAtMost(retryAfter, 60)
  })

  test('X-Forwarded-For from an untrusted client does not reset the count', async ({ assert }) => {
    const statuses: number[] = []
    for (let index = 0; index < 7; index++) {
      const response = await rawRequest('/api/stats', {
        method: 'GET',
        headers: { 'x-api-key': apiKey, 'x-forwarded-for': `10.0.0.${index}` },
      })
      statuses.push(response.status)
    }
    assert.equal(statuses.filter((status) => status === 429).length, 2)
  })
})
