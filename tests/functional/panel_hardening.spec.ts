import { test } from '@japa/runner'
import redis from '@adonisjs/redis/services/main'
import { PanelClient, TEST_PASSWORD, createAdmin, loggedInPanel } from '#tests/support/panel'
import { baseUrl, newApiKey } from '#tests/support/fixtures'
import { startServerProcess } from '#tests/support/server_process'

/** Every key of this run in Redis (the run has a key prefix of its own). */
async function redisKeysOfRun() {
  const prefix = process.env.REDIS_KEY_PREFIX!
  const keys: string[] = []
  let cursor = '0'
  do {
    // The connection adds the prefix to commands' keys, not to SCAN's pattern.
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
    cursor = next
    keys.push(...batch)
  } while (cursor !== '0')
  return keys
}

/** Keys of panel sessions: ids are UUIDs, stored under the run's prefix. */
async function sessionKeysOfRun() {
  const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
  return (await redisKeysOfRun()).filter((key) => uuid.test(key))
}

const SECURITY_HEADERS = ['content-security-policy', 'x-frame-options', 'x-content-type-options']

test.group('Panel: a stale or missing CSRF token', () => {
  test('a login form without a token (no Referer) returns to the form with a message', async ({
    assert,
  }) => {
    const admin = await createAdmin()
    const client = new PanelClient()
    const posted = await client.post(
      '/admin/login',
      { email: admin.email, password: TEST_PASSWORD },
      { csrf: false }
    )
    assert.equal(posted.status, 302)
    assert.equal(posted.location, '/admin/login')
    const form = await client.get('/admin/login')
    assert.equal(form.status, 200)
    assert.include(form.body, 'The form expired, please try again.')
    // What was typed comes back, the password never does.
    assert.include(form.body, `value="${admin.email}"`)
    assert.notInclude(form.body, TEST_PASSWORD)
    // And the form works at once.
    const again = await client.post('/admin/login', { email: admin.email, password: TEST_PASSWORD })
    assert.equal(again.location, '/admin')
  })

  test('a session that expired under an open form: same message, in the visitor’s language', async ({
    assert,
  }) => {
    const admin = await createAdmin()
    const client = new PanelClient()
    await client.get('/admin/login')
    // The session ends while the form is open (its age passed, or Redis lost it).
    client.cookies.clear()
    const posted = await client.post('/admin/login', { email: admin.email, password: 'x' })
    assert.equal(posted.location, '/admin/login')
    const form = await client.get('/admin/login')
    assert.include(form.body, 'The form expired, please try again.')

    const german = await fetch(`${baseUrl()}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'accept-language': 'de',
      },
      body: 'email=a%40example.com&password=x',
    })
    assert.equal(german.status, 302)
    const cookie = german.headers
      .getSetCookie()
      .map((line) => line.split(';')[0])
      .join('; ')
    const page = await fetch(`${baseUrl()}/admin/login`, {
      headers: { cookie, 'accept-language': 'de' },
    })
    assert.include(await page.text(), 'Das Formular ist abgelaufen, bitte erneut versuchen.')
  })

  test('a logged-in admin goes back to the page of the form; a foreign Referer is not followed', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('owner')
    await client.get('/admin/blocked-ips')
    const posted = await client.post(
      '/admin/blocked-ips',
      { network: '198.51.100.7' },
      { csrf: 'stale-token' }
    )
    assert.equal(posted.location, '/admin/blocked-ips')
    assert.include((await client.get('/admin/blocked-ips')).body, 'The form expired')

    const foreign = await fetch(`${baseUrl()}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'referer': 'https://evil.example/admin/login',
      },
      body: 'email=a%40example.com',
    })
    assert.equal(foreign.headers.get('location'), '/admin/login')
  })
})

test.group('Security headers on every response', () => {
  test('unknown paths, pages, assets, the health check and the API all carry them', async ({
    assert,
  }) => {
    const apiKey = await newApiKey()
    const responses = {
      'unknown path': await fetch(`${baseUrl()}/no-such-page`),
      'login page': await fetch(`${baseUrl()}/admin/login`),
      'stylesheet': await fetch(`${baseUrl()}/assets/panel.css`),
      'health': await fetch(`${baseUrl()}/health`),
      'API refusal': await fetch(`${baseUrl()}/api/license/verify`, { method: 'POST' }),
      'API unknown path': await fetch(`${baseUrl()}/api/nothing`, {
        headers: { 'x-api-key': apiKey },
      }),
    }
    assert.equal(responses['unknown path'].status, 404)
    for (const [what, response] of Object.entries(responses)) {
      for (const header of SECURITY_HEADERS) {
        assert.exists(response.headers.get(header), `${what} lacks ${header}`)
      }
      assert.equal(response.headers.get('x-frame-options'), 'DENY', what)
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', what)
      assert.isNull(response.headers.get('strict-transport-security'), `${what} over plain HTTP`)
    }
    const page = responses['unknown path'].headers.get('content-security-policy')!
    assert.include(page, "default-src 'self'")
    assert.include(page, "frame-ancestors 'none'")
    assert.equal(
      responses['API refusal'].headers.get('content-security-policy'),
      "default-src 'none'; frame-ancestors 'none'"
    )
  })

  test('HSTS only over HTTPS: a trusted proxy says so, anyone else is not believed', async ({
    assert,
  }) => {
    const behindProxy = await startServerProcess({ TRUST_PROXY: 'loopback' })
    const direct = await startServerProcess()
    try {
      const https = { 'x-forwarded-proto': 'https' }
      const viaProxy = await fetch(`${behindProxy.url}/admin/login`, { headers: https })
      assert.match(viaProxy.headers.get('strict-transport-security') ?? '', /^max-age=15552000/)
      const api = await fetch(`${behindProxy.url}/api/keys/public`, { headers: https })
      assert.exists(api.headers.get('strict-transport-security'))
      const plain = await fetch(`${behindProxy.url}/admin/login`)
      assert.isNull(plain.headers.get('strict-transport-security'))
      const untrusted = await fetch(`${direct.url}/admin/login`, { headers: https })
      assert.isNull(untrusted.headers.get('strict-transport-security'))
    } finally {
      await Promise.all([behindProxy.stop(), direct.stop()])
    }
  }).timeout(60_000)
})

test.group('Anonymous visitors store nothing on the server', () => {
  test('1,000 anonymous page views leave Redis as it was', async ({ assert }) => {
    const before = await redisKeysOfRun()
    const views = Array.from({ length: 1000 }, (_, index) => index)
    const statuses = new Set<number>()
    for (let start = 0; start < views.length; start += 20) {
      const batch = views.slice(start, start + 20)
      const responses = await Promise.all(batch.map(() => fetch(`${baseUrl()}/admin/login`)))
      for (const response of responses) {
        statuses.add(response.status)
        await response.arrayBuffer()
      }
    }
    assert.deepEqual([...statuses], [200])
    const after = await redisKeysOfRun()
    assert.deepEqual(
      after.filter((key) => !before.includes(key)),
      [],
      'anonymous page views created keys in Redis'
    )
  }).timeout(60_000)

  test('an admin’s session moves to Redis at login and leaves it at logout', async ({ assert }) => {
    const admin = await createAdmin()
    const client = new PanelClient()
    const before = await sessionKeysOfRun()
    const form = await client.get('/admin/login')
    assert.equal(form.status, 200)
    // The anonymous session is a cookie of its own, encrypted: no CSRF secret in the clear.
    const anonymous = [...client.cookies.keys()].filter((name) => name !== 'keyward-session')
    assert.lengthOf(anonymous, 1)
    assert.notMatch(decodeURIComponent(client.cookies.get(anonymous[0])!), /csrf-secret/)
    assert.deepEqual(await sessionKeysOfRun(), before)

    const login = await client.post('/admin/login', { email: admin.email, password: TEST_PASSWORD })
    assert.equal(login.location, '/admin')
    const created = (await sessionKeysOfRun()).filter((key) => !before.includes(key))
    assert.lengthOf(created, 1, 'the logged-in session lives in Redis')
    assert.deepEqual(
      [...client.cookies.keys()].filter((name) => name !== 'keyward-session'),
      [],
      'the anonymous cookie is cleared once the session lives in Redis'
    )
    assert.equal((await client.get('/admin')).status, 200)

    await client.post('/admin/logout')
    assert.notInclude(await sessionKeysOfRun(), created[0], 'logging out deletes it')
    assert.equal((await client.get('/admin')).location, '/admin/login')
  })
})

test.group('Panel error pages', () => {
  test('a 50 MB form body gets the panel’s own 413 page, the API its JSON', async ({ assert }) => {
    const body = 'email=' + 'a'.repeat(50 * 1024 * 1024)
    const page = await fetch(`${baseUrl()}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept': 'text/html' },
      body,
    })
    assert.equal(page.status, 413)
    const html = await page.text()
    assert.include(html, '<title>Too much data · Keyward</title>')
    assert.include(html, 'The form sent more data than the panel accepts.')
    assert.exists(page.headers.get('content-security-policy'))

    const api = await fetch(`${baseUrl()}/api/license/verify`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': await newApiKey() },
      body: JSON.stringify({ license_key: 'x'.repeat(50 * 1024 * 1024) }),
    })
    assert.equal(api.status, 413)
    assert.equal(((await api.json()) as any).error.code, 'PAYLOAD_TOO_LARGE')
  }).timeout(60_000)

  test('the server’s root leads to the panel', async ({ assert }) => {
    const root = await fetch(`${baseUrl()}/`, { redirect: 'manual' })
    assert.equal(root.status, 302)
    assert.equal(root.headers.get('location'), '/admin')
  })
})
