import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { ClientConfigRegistry } from '#plugin_host/api'
import { createLicense, fingerprint, newApiKey } from '#tests/support/fixtures'
import { bodyOf, restoreClock, useFixedClock } from '#tests/support/sessions'
import { configuredProduct, reconfigure } from '../support.js'

const RELEASE = {
  current_version: '2.4.0',
  minimum_version: '2.0.0',
  download_url: 'https://example.com/app-2.4.0.zip',
  whats_new: '## 2.4\n* faster start',
}
const NOTICE = {
  current_version: '2.4.0',
  minimum_version: '2.0.0',
  download_url: 'https://example.com/app-2.4.0.zip',
  whats_new: '## 2.4\n* faster start',
}

/** A client program of a configured product, speaking the client API. */
async function clientOf(
  client: ApiClient,
  release: Parameters<typeof configuredProduct>[0] = RELEASE,
  license: Parameters<typeof createLicense>[0] = {}
) {
  const configured = await configuredProduct(release)
  const created = await createLicense({
    productId: configured.product.id,
    type: 'perpetual',
    maxDevices: 2,
    ...license,
  })
  const apiKey = await newApiKey()
  const post = (path: string, body: Record<string, unknown>, locale = 'en') =>
    client
      .post(`/api/license/${path}`)
      .header('X-API-Key', apiKey)
      .header('Accept-Language', locale)
      .json({ license_key: created.key, ...body })
  return {
    configured,
    license: created,
    start: (device: string, extra: Record<string, unknown> = {}, locale?: string) =>
      post('session/start', { hardware_fingerprint: device, ...extra }, locale),
    heartbeat: (token: string) => post('session/heartbeat', { session_token: token }),
    verify: (extra: Record<string, unknown>) => post('verify', extra),
  }
}

async function sessionCount(licenseId: number) {
  const row = await db.from('license_sessions').where('license_id', licenseId).count('* as n')
  return Number(row[0].n)
}

test.group('version-gate: session start', (group) => {
  group.each.teardown(() => restoreClock())

  test('a version below the minimum is 426 VERSION_TOO_OLD with the update notice', async ({
    client,
    assert,
  }) => {
    const program = await clientOf(client)
    for (const locale of ['en', 'de']) {
      const response = await program.start(fingerprint(), { version: '1.9.9' }, locale)
      response.assertStatus(426)
      const { error } = response.body()
      assert.equal(error.code, 'VERSION_TOO_OLD')
      assert.deepEqual(error.update, { ...NOTICE, required: true })
    }
    const german = await program.start(fingerprint(), { version: '2.0.0-rc.1' }, 'de')
    german.assertStatus(426)
    assert.match(german.body().error.message, /nicht mehr unterstützt/)
    // Nothing was written: no session, no device bound, no first activation.
    assert.equal(await sessionCount(program.license.id), 0)
    assert.lengthOf(await db.from('devices').where('license_id', program.license.id), 0)
    await program.license.refresh()
    assert.isNull(program.license.activatedAt)
  })

  test('a supported but outdated version starts, with update.required false', async ({
    client,
    assert,
  }) => {
    const program = await clientOf(client)
    const response = await program.start(fingerprint(), { version: '2.0.0' })
    response.assertStatus(201)
    assert.deepEqual(response.body().update, { ...NOTICE, required: false })

    const current = await clientOf(client)
    const upToDate = await current.start(fingerprint(), { version: '2.4.0' })
    upToDate.assertStatus(201)
    assert.notProperty(upToDate.body(), 'update')
    const newer = await current.start(fingerprint(), { version: '2.5.0-beta.1' })
    assert.notProperty(newer.body(), 'update')
  })

  test('a start without a version passes unless the product requires one', async ({
    client,
    assert,
  }) => {
    const program = await clientOf(client)
    const response = await program.start(fingerprint())
    response.assertStatus(201)
    assert.notProperty(response.body(), 'update')

    const strict = await clientOf(client, { ...RELEASE, require_version: true })
    const refused = await strict.start(fingerprint())
    refused.assertStatus(426)
    assert.deepEqual(refused.body().error.update, { ...NOTICE, required: true })
    ;(await strict.start(fingerprint(), { version: '2.4.0' })).assertStatus(201)
  })

  test('a malformed version is 422 while the product is gated, and ignored otherwise', async ({
    client,
    assert,
  }) => {
    const program = await clientOf(client)
    const response = await program.start(fingerprint(), { version: 'build 2024-11' })
    response.assertStatus(422)
    assert.deepEqual(
      response.body().error.fields.map((field: any) => [field.field, field.rule]),
      [['version', 'semver']]
    )
    assert.equal(await sessionCount(program.license.id), 0)

    // A product without a client configuration checks nothing.
    const license = await createLicense({ type: 'perpetual' })
    const free = await client
      .post('/api/license/session/start')
      .header('X-API-Key', await newApiKey())
      .json({
        license_key: license.key,
        hardware_fingerprint: fingerprint(),
        version: 'build 2024-11',
      })
    free.assertStatus(201)
  })

  test('a resumed session also carries the notice', async ({ client, assert }) => {
    const program = await clientOf(client, RELEASE, { sessionPolicy: 'resumable' })
    const device = fingerprint()
    const first = await bodyOf(program.start(device, { version: '2.1.0' }))
    const again = await program.start(device, { version: '2.1.0' })
    again.assertStatus(200)
    assert.isTrue(again.body().resumed)
    assert.equal(again.body().session_token, first.session_token)
    assert.deepEqual(again.body().update, { ...NOTICE, required: false })
  })

  test('a resume below a raised minimum is refused and leaves the session as it was', async ({
    client,
    assert,
  }) => {
    const clock = useFixedClock()
    const program = await clientOf(client, RELEASE, { sessionPolicy: 'resumable' })
    const device = fingerprint()
    await bodyOf(program.start(device, { version: '2.1.0' }))
    const before = await db.from('license_sessions').where('license_id', program.license.id)
    await reconfigure(program.configured, { minimum_version: '2.2.0' })
    clock.advance({ seconds: 10 })
    const refused = await program.start(device, { version: '2.1.0' })
    refused.assertStatus(426)
    assert.equal(refused.body().error.code, 'VERSION_TOO_OLD')
    // Neither its heartbeat nor its expiry moved: a refused client keeps nothing alive.
    const after = await db.from('license_sessions').where('license_id', program.license.id)
    assert.deepEqual(after, before)
  })

  test('the license is judged before the version', async ({ client, assert }) => {
    const program = await clientOf(client, RELEASE, { status: 'suspended' })
    const response = await program.start(fingerprint(), { version: '1.0.0' })
    response.assertStatus(403)
    assert.equal(response.body().error.code, 'LICENSE_SUSPENDED')
  })
})

test.group('version-gate: heartbeats', (group) => {
  group.each.teardown(() => restoreClock())

  test('an outdated session learns of the update on each heartbeat', async ({ client, assert }) => {
    const program = await clientOf(client)
    const session = await bodyOf(program.start(fingerprint(), { version: '2.1.0' }))
    const beat = await program.heartbeat(session.session_token)
    beat.assertStatus(200)
    assert.deepEqual(beat.body().update, { ...NOTICE, required: false })
  })

  test('a new release reaches a running client without a restart', async ({ client, assert }) => {
    const program = await clientOf(client)
    const session = await bodyOf(program.start(fingerprint(), { version: '2.4.0' }))
    const before = await program.heartbeat(session.session_token)
    assert.notProperty(before.body(), 'update')

    await reconfigure(program.configured, { current_version: '2.5.0' })
    const after = await program.heartbeat(session.session_token)
    assert.deepEqual(after.body().update, {
      ...NOTICE,
      current_version: '2.5.0',
      required: false,
    })

    // Raising the minimum above it makes the notice required; the running
    // session is told, not cut off.
    await reconfigure(program.configured, { minimum_version: '2.5.0' })
    const required = await program.heartbeat(session.session_token)
    required.assertStatus(200)
    assert.include(required.body().update, { required: true, minimum_version: '2.5.0' })
  })

  test('an up-to-date session gets no notice', async ({ client, assert }) => {
    const program = await clientOf(client)
    const session = await bodyOf(program.start(fingerprint(), { version: '2.4.0+build.7' }))
    const beat = await program.heartbeat(session.session_token)
    assert.deepEqual(Object.keys(beat.body()).sort(), ['expires_at', 'ok'])
  })
})

test.group('version-gate: verify', () => {
  test('426 below the minimum, the notice when outdated, nothing when current', async ({
    client,
    assert,
  }) => {
    const program = await clientOf(client)
    const device = fingerprint()
    await program.start(device, { version: '2.4.0' })

    const old = await program.verify({ hardware_fingerprint: device, version: '1.0.0' })
    old.assertStatus(426)
    assert.equal(old.body().error.code, 'VERSION_TOO_OLD')
    assert.deepEqual(old.body().error.update, { ...NOTICE, required: true })

    const outdated = await program.verify({ hardware_fingerprint: device, version: '2.3.9' })
    outdated.assertStatus(200)
    assert.include(outdated.body(), { valid: true, code: 'VALID' })
    assert.deepEqual(outdated.body().update, { ...NOTICE, required: false })

    const current = await program.verify({ hardware_fingerprint: device, version: '2.4.0' })
    assert.include(current.body(), { valid: true, code: 'VALID' })
    assert.notProperty(current.body(), 'update')

    const malformed = await program.verify({ version: 'two' })
    malformed.assertStatus(422)
  })

  test('a license that is not usable answers with its own code first', async ({
    client,
    assert,
  }) => {
    const program = await clientOf(client, RELEASE, { status: 'revoked' })
    const response = await program.verify({ version: '1.0.0' })
    response.assertStatus(200)
    assert.include(response.body(), { valid: false, code: 'REVOKED' })
  })

  test('a device not activated is still told, with the notice', async ({ client, assert }) => {
    const program = await clientOf(client)
    const response = await program.verify({ hardware_fingerprint: fingerprint(), version: '2.2.0' })
    assert.include(response.body(), { valid: false, code: 'DEVICE_NOT_ACTIVATED' })
    assert.equal(response.body().update.required, false)
  })
})

test.group('version-gate: the product settings reach the session engine', (group) => {
  group.each.teardown(() => restoreClock())

  test("sessions use the product's heartbeat interval and timeout", async ({ client, assert }) => {
    const clock = useFixedClock()
    const program = await clientOf(client, {
      ...RELEASE,
      heartbeat_interval: 10,
      session_timeout: 25,
    })
    const session = await bodyOf(program.start(fingerprint(), { version: '2.4.0' }))
    assert.equal(session.heartbeat_interval, 10)
    assert.equal(session.session_timeout, 25)
    assert.equal(session.expires_at, clock.now().plus({ seconds: 25 }).toJSDate().toISOString())
    const [row] = await db.from('license_sessions').where('license_id', program.license.id)
    assert.equal(row.heartbeat_interval, 10)
    assert.equal(row.session_timeout, 25)

    // 26 s of silence is past this product's timeout (the global one is 60 s).
    clock.advance({ seconds: 26 })
    const late = await program.heartbeat(session.session_token)
    late.assertStatus(410)
    assert.equal(late.body().error.end_reason, 'timeout')
  })

  test('a product without configuration uses the global settings', async ({ client, assert }) => {
    const license = await createLicense({ type: 'perpetual' })
    const response = await client
      .post('/api/license/session/start')
      .header('X-API-Key', await newApiKey())
      .json({ license_key: license.key, hardware_fingerprint: fingerprint(), version: '0.0.1' })
    response.assertStatus(201)
    assert.equal(response.body().heartbeat_interval, app.config.get('sessions.heartbeatInterval'))
    assert.equal(response.body().session_timeout, app.config.get('sessions.timeout'))
  })

  test("the session-limit message is the product's own, per language", async ({
    client,
    assert,
  }) => {
    const program = await clientOf(client, {
      ...RELEASE,
      session_limit_message: { de: 'Nur ein Rechner gleichzeitig, bitte.' },
    })
    await program.start(fingerprint(), { version: '2.4.0' })
    const german = await program.start(fingerprint(), { version: '2.4.0' }, 'de')
    german.assertStatus(409)
    assert.deepEqual(german.body().error, {
      code: 'SESSION_LIMIT_REACHED',
      message: 'Nur ein Rechner gleichzeitig, bitte.',
    })
    // No English text configured: the default one.
    const english = await program.start(fingerprint(), { version: '2.4.0' }, 'en')
    assert.match(english.body().error.message, /already in use/)
  })
})

test.group('version-gate: switched off', (group) => {
  group.each.teardown(() => app.container.restore(ClientConfigRegistry))

  test('without the gate, old versions start and sessions use the global timing', async ({
    client,
    assert,
  }) => {
    // What a disabled plugin leaves: a registry nobody registered with.
    app.container.swap(ClientConfigRegistry, () => new ClientConfigRegistry())
    const program = await clientOf(client, {
      ...RELEASE,
      heartbeat_interval: 10,
      session_timeout: 25,
      require_version: true,
    })
    const response = await program.start(fingerprint(), { version: '0.1.0' })
    response.assertStatus(201)
    assert.notProperty(response.body(), 'update')
    assert.equal(response.body().heartbeat_interval, app.config.get('sessions.heartbeatInterval'))
    const beat = await program.heartbeat(response.body().session_token)
    assert.notProperty(beat.body(), 'update')
    const verify = await program.verify({ version: 'not-a-version' })
    verify.assertStatus(200)
  })
})
