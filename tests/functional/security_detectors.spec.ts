import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import emitter from '@adonisjs/core/services/emitter'
import db from '@adonisjs/lucid/services/db'
import type License from '#models/license'
import SecurityAlerts from '#services/security/security_alerts'
import { generateLicenseKey } from '#support/license_keys'
import { cliActor } from '#support/actor'
import { createApiKey, createLicense, fingerprint } from '#tests/support/fixtures'
import { alertsAbout, runDetectors } from '#tests/support/security'

/**
 * The detectors over real requests: each fires on its scripted pattern
 * and stays quiet on normal traffic. All requests here come from
 * 127.0.0.1, so the rules about addresses are proven with processes of
 * their own (security_ip_block.spec.ts); here the subjects are licenses
 * and API keys.
 */
async function clientFor(client: ApiClient, license: License) {
  const { key, apiKey } = await createApiKey()
  const post = (path: string, body: Record<string, unknown>) =>
    client
      .post(`/api/license/${path}`)
      .header('X-API-Key', key)
      .json({ license_key: license.key, ...body })
  return {
    apiKey,
    start: (device: string) => post('session/start', { hardware_fingerprint: device }),
    end: (token: string) => post('session/end', { session_token: token }),
    /** A session from start to end, as a program that is opened and closed. */
    async use(device: string) {
      const started = await post('session/start', { hardware_fingerprint: device })
      started.assertStatus(201)
      ;(await post('session/end', { session_token: started.body().session_token })).assertStatus(
        200
      )
    },
  }
}

const sharingLicense = () =>
  createLicense({ type: 'perpetual', maxDevices: 10, maxSessions: 1, sessionPolicy: 'single' })

test.group('Detectors over real traffic', () => {
  test('sharing: one license used in turn from six devices opens one alert with the evidence', async ({
    client,
    assert,
    cleanup,
  }) => {
    const license = await sharingLicense()
    const program = await clientFor(client, license)
    const opened: unknown[] = []
    const stop = emitter.on('security:alert_opened', (payload) => void opened.push(payload))
    cleanup(() => stop())

    for (let index = 0; index < 6; index++) await program.use(fingerprint())
    await runDetectors()
    const [alert, ...others] = await alertsAbout('sharing', `license:${license.id}`)
    assert.lengthOf(others, 0)
    assert.include(alert, { status: 'open', severity: 'high', evidence_count: 6 })
    assert.equal(alert.license_id, license.id)
    assert.equal(alert.product_id, license.productId)
    const evidence = await db.from('security_alert_evidence').where('alert_id', alert.id)
    assert.lengthOf(evidence, 6)
    assert.lengthOf(new Set(evidence.map((item) => item.fingerprint_digest)), 6)
    assert.isTrue(evidence.every((item) => /^[0-9a-f]{64}$/.test(item.fingerprint_digest)))
    assert.deepInclude(opened, {
      alertId: Number(alert.id),
      rule: 'sharing',
      severity: 'high',
      summary: alert.summary,
      license: { id: license.id, key: license.key, productId: license.productId, customerId: null },
      ip: null,
    })

    // The same finding again: the alert, not another; new evidence appended once.
    await runDetectors()
    await program.use(fingerprint())
    await runDetectors()
    const again = await alertsAbout('sharing', `license:${license.id}`)
    assert.lengthOf(again, 1)
    assert.equal(again[0].evidence_count, 7)
    assert.lengthOf(
      opened.filter((item: any) => item.alertId === Number(alert.id)),
      1
    )
  })

  test('two detector runs at once open one alert, announce it once, and copy each item once', async ({
    client,
    assert,
    cleanup,
  }) => {
    const license = await sharingLicense()
    const program = await clientFor(client, license)
    const opened: number[] = []
    const stop = emitter.on('security:alert_opened', (payload) => void opened.push(payload.alertId))
    cleanup(() => stop())
    for (let index = 0; index < 5; index++) await program.use(fingerprint())

    await Promise.all([runDetectors(), runDetectors(), runDetectors()])
    const alerts = await alertsAbout('sharing', `license:${license.id}`)
    assert.lengthOf(alerts, 1)
    assert.equal(alerts[0].evidence_count, 5)
    assert.lengthOf(await db.from('security_alert_evidence').where('alert_id', alerts[0].id), 5)
    assert.deepEqual(
      opened.filter((id) => id === Number(alerts[0].id)),
      [Number(alerts[0].id)]
    )
  })

  test('sharing stays quiet for a customer with 3 devices, and for one who reinstalls once', async ({
    client,
    assert,
  }) => {
    const threeDevices = await sharingLicense()
    const office = await clientFor(client, threeDevices)
    const devices = [fingerprint(), fingerprint(), fingerprint()]
    for (let day = 0; day < 3; day++) for (const device of devices) await office.use(device)

    const reinstalled = await sharingLicense()
    const home = await clientFor(client, reinstalled)
    const [before, after] = [fingerprint(), fingerprint()]
    for (let run = 0; run < 4; run++) await home.use(before)
    for (let run = 0; run < 4; run++) await home.use(after)

    await runDetectors()
    assert.lengthOf(await alertsAbout('sharing', `license:${threeDevices.id}`), 0)
    assert.lengthOf(await alertsAbout('sharing', `license:${reinstalled.id}`), 0)
  })

  test('session contention: other devices refused again and again; a launcher and its bot are not', async ({
    client,
    assert,
  }) => {
    const contended = await sharingLicense()
    const owner = await clientFor(client, contended)
    ;(await owner.start(fingerprint())).assertStatus(201)
    for (let attempt = 0; attempt < 5; attempt++) {
      ;(await owner.start(fingerprint())).assertStatus(409)
    }

    // A launcher holds the session; its bot, on the same machine, is refused while it does.
    const paired = await sharingLicense()
    const machine = fingerprint()
    const launcher = await clientFor(client, paired)
    ;(await launcher.start(machine)).assertStatus(201)
    for (let attempt = 0; attempt < 6; attempt++) (await launcher.start(machine)).assertStatus(409)

    await runDetectors()
    const [alert] = await alertsAbout('session_contention', `license:${contended.id}`)
    assert.include(alert, { status: 'open', evidence_count: 5 })
    assert.lengthOf(await alertsAbout('session_contention', `license:${paired.id}`), 0)
    assert.lengthOf(await alertsAbout('sharing', `license:${paired.id}`), 0)
  })

  test('key guessing through one API key; a customer who mistypes stays quiet', async ({
    client,
    assert,
  }) => {
    const guesser = await createApiKey()
    const typist = await createApiKey()
    const verify = (key: string) =>
      client
        .post('/api/license/verify')
        .header('X-API-Key', key)
        .json({ license_key: generateLicenseKey() })
    for (let guess = 0; guess < 20; guess++) (await verify(guesser.key)).assertStatus(404)
    for (let typo = 0; typo < 3; typo++) (await verify(typist.key)).assertStatus(404)

    await runDetectors()
    const [alert] = await alertsAbout('key_guessing', `api_key:${guesser.apiKey.id}`)
    assert.include(alert, { status: 'open', evidence_count: 20 })
    assert.lengthOf(await alertsAbout('key_guessing', `api_key:${typist.apiKey.id}`), 0)
  })

  test('a device switching back and forth between two licenses', async ({ client, assert }) => {
    const product = (await createLicense()).productId
    const [first, second] = [
      await createLicense({ productId: product, type: 'perpetual', maxDevices: 5 }),
      await createLicense({ productId: product, type: 'perpetual', maxDevices: 5 }),
    ]
    const device = fingerprint()
    const programs = [await clientFor(client, first), await clientFor(client, second)]
    for (let round = 0; round < 5; round++) await programs[round % 2].use(device)

    // Two programs of two products on one device, used in turn: normal.
    const other = await createLicense({ type: 'perpetual', maxDevices: 5 })
    const desk = fingerprint()
    const apps = [await clientFor(client, first), await clientFor(client, other)]
    for (let round = 0; round < 6; round++) await apps[round % 2].use(desk)

    await runDetectors()
    const flapping = await db
      .from('security_alerts')
      .where('rule', 'license_flapping')
      .whereIn('license_id', [first.id, second.id, other.id])
    assert.lengthOf(flapping, 1)
    assert.include(flapping[0], { status: 'open', evidence_count: 5 })
  })

  test('clock rollback reported by the SDK', async ({ client, assert }) => {
    const license = await createLicense({ type: 'perpetual' })
    const { key } = await createApiKey()
    const quiet = await createLicense({ type: 'perpetual' })
    ;(
      await client.post('/api/license/report').header('X-API-Key', key).json({
        license_key: license.key,
        kind: 'clock_rollback',
        hardware_fingerprint: fingerprint(),
      })
    ).assertStatus(202)
    ;(
      await client
        .post('/api/license/verify')
        .header('X-API-Key', key)
        .json({ license_key: quiet.key })
    ).assertStatus(200)
    await runDetectors()
    const [alert] = await alertsAbout('clock_rollback', `license:${license.id}`)
    assert.include(alert, { status: 'open', severity: 'high', evidence_count: 1 })
    assert.lengthOf(await alertsAbout('clock_rollback', `license:${quiet.id}`), 0)
  })

  test('a resolved alert stays resolved on its old evidence; new evidence opens a new one', async ({
    client,
    assert,
  }) => {
    const license = await createLicense({ type: 'perpetual' })
    const { key } = await createApiKey()
    const report = () =>
      client
        .post('/api/license/report')
        .header('X-API-Key', key)
        .json({ license_key: license.key, kind: 'lease_tampering' })
    ;(await report()).assertStatus(202)
    await runDetectors()
    const [first] = await alertsAbout('clock_rollback', `license:${license.id}`)
    const alerts = await app.container.make(SecurityAlerts)
    assert.isTrue(await alerts.setStatus(first.id, 'resolved', cliActor('tests')))
    await runDetectors()
    assert.lengthOf(await alertsAbout('clock_rollback', `license:${license.id}`), 1)
    ;(await report()).assertStatus(202)
    await runDetectors()
    const both = await alertsAbout('clock_rollback', `license:${license.id}`)
    assert.deepEqual(
      both.map((alert) => alert.status),
      ['resolved', 'open']
    )
  })
})
