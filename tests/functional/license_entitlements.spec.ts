import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import Entitlement from '#models/entitlement'
import License from '#models/license'
import LicenseEntitlements from '#services/license_entitlements'
import EntitlementCatalogue from '#services/catalogue/entitlement_catalogue'
import LicenseTemplates from '#services/catalogue/license_templates'
import LicenseGenerator from '#services/license_generator'
import { ClientResponseExtensions } from '#services/client_response_extensions'
import { cliActor } from '#support/actor'
import {
  createLicense,
  createProduct,
  fingerprint,
  newApiKey,
  unique,
} from '#tests/support/fixtures'
import {
  createEntitlements,
  setOwnEntitlement,
  templateEntitling,
} from '#tests/support/entitlements'
import { decodeLease } from '#tests/support/leases'
import { auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import { SessionClient } from '#tests/support/sessions'

/**
 * A product with entitlements a…e and a license of its template (a, b, c),
 * granted d and withdrawn b: effectively a, c, d.
 */
async function licensedProduct(overrides: Partial<License> = {}) {
  const product = await createProduct()
  const rows = await createEntitlements(product, [
    'export_pdf',
    'beta',
    'sync',
    'api_access',
    'teams',
  ])
  const template = await templateEntitling(product, [rows.export_pdf, rows.beta, rows.sync])
  const license = await createLicense({
    productId: product.id,
    templateId: template.id,
    type: 'perpetual',
    ...overrides,
  })
  await setOwnEntitlement(license, rows.api_access, true)
  await setOwnEntitlement(license, rows.beta, false)
  return { product, rows, template, license }
}

function api(client: ApiClient, apiKey: string) {
  const post = (path: string, body: Record<string, unknown>) =>
    client.post(`/api/license/${path}`).header('X-API-Key', apiKey).json(body)
  return {
    activate: (licenseKey: string, device: string) =>
      post('activate', { license_key: licenseKey, hardware_fingerprint: device }),
    verify: (licenseKey: string, device?: string) =>
      post('verify', {
        license_key: licenseKey,
        ...(device ? { hardware_fingerprint: device } : {}),
      }),
    check: (licenseKey: string, entitlements: unknown) =>
      post('entitlements/check', { license_key: licenseKey, entitlements }),
  }
}

test.group('Entitlements at the client', (group) => {
  let apiKey: string
  group.setup(async () => {
    apiKey = await newApiKey()
  })

  test('template ∪ grants − withdrawals appear in verify, session start and both leases', async ({
    client,
    assert,
  }) => {
    const { license } = await licensedProduct()
    const expected = ['api_access', 'export_pdf', 'sync']
    const device = fingerprint()
    const calls = api(client, apiKey)
    ;(await calls.activate(license.key, device)).assertStatus(201)

    const verified = await calls.verify(license.key, device)
    verified.assertStatus(200)
    assert.isTrue(verified.body().valid)
    assert.deepEqual(verified.body().entitlements, expected)
    assert.deepEqual(decodeLease(verified.body().lease).claims.entitlements, expected)

    const withoutDevice = await calls.verify(license.key)
    assert.deepEqual(withoutDevice.body().entitlements, expected)
    assert.notProperty(withoutDevice.body(), 'lease')

    const started = await new SessionClient(client, apiKey, license.key).start(device)
    started.assertStatus(201)
    assert.deepEqual(started.body().entitlements, expected)
    assert.deepEqual(decodeLease(started.body().lease).claims.entitlements, expected)
  })

  test('a license follows its template live; without a template it has only its grants', async ({
    client,
    assert,
  }) => {
    const { product, rows, template, license } = await licensedProduct()
    const calls = api(client, apiKey)
    await template.related('entitlements').attach([rows.teams.id])
    await template.related('entitlements').detach([rows.export_pdf.id])
    assert.deepEqual((await calls.verify(license.key)).body().entitlements, [
      'api_access',
      'sync',
      'teams',
    ])

    const plain = await createLicense({ productId: product.id, type: 'perpetual' })
    assert.deepEqual((await calls.verify(plain.key)).body().entitlements, [])
    await setOwnEntitlement(plain, rows.teams, true)
    await setOwnEntitlement(plain, rows.sync, false)
    assert.deepEqual((await calls.verify(plain.key)).body().entitlements, ['teams'])

    // Another product's catalogue does not leak in.
    const other = await createProduct()
    await createEntitlements(other, ['teams', 'zeta'])
    assert.deepEqual((await calls.verify(plain.key)).body().entitlements, ['teams'])
  })

  test('through the catalogue services: a batch issued from a template follows its changes', async ({
    client,
    assert,
  }) => {
    const actor = cliActor('tests')
    const product = await createProduct()
    const entitlementCatalogue = await app.container.make(EntitlementCatalogue)
    for (const code of ['export_pdf', 'sync', 'teams']) {
      await entitlementCatalogue.create(product, { code, name: `Feature ${code}` }, actor)
    }
    const templates = await app.container.make(LicenseTemplates)
    const terms = {
      name: unique('Team'),
      type: 'perpetual',
      expiryBasis: 'creation' as const,
      maxDevices: 2,
      maxSessions: 1,
    }
    const template = await templates.create(
      product,
      { ...terms, entitlements: ['export_pdf', 'sync'] },
      actor
    )
    const generator = await app.container.make(LicenseGenerator)
    const { keys } = await generator.generate(
      { productId: null, templateId: template.id, type: 'perpetual', count: 2 },
      actor
    )
    const [first, second] = await Promise.all(keys.map((key) => License.findByOrFail('key', key)))
    const teams = await Entitlement.findByOrFail({ productId: product.id, code: 'teams' })
    const entitlements = await app.container.make(LicenseEntitlements)
    await entitlements.grant(first.id, teams.id, actor)

    const calls = api(client, apiKey)
    const codesOf = async (license: License) =>
      (await calls.verify(license.key)).body().entitlements
    assert.deepEqual(await codesOf(first), ['export_pdf', 'sync', 'teams'])
    assert.deepEqual(await codesOf(second), ['export_pdf', 'sync'])

    await templates.update(template, { ...terms, entitlements: ['export_pdf'] }, actor)
    assert.deepEqual(await codesOf(first), ['export_pdf', 'teams'])
    assert.deepEqual(await codesOf(second), ['export_pdf'])
    const device = fingerprint()
    const started = await new SessionClient(client, apiKey, second.key).start(device)
    assert.deepEqual(decodeLease(started.body().lease).claims.entitlements, ['export_pdf'])
  })

  test('codes sort byte-wise, the same in every answer', async ({ client, assert }) => {
    const product = await createProduct()
    const rows = await createEntitlements(product, ['ab', 'a_c', 'a1', 'b'])
    const license = await createLicense({ productId: product.id, type: 'perpetual' })
    for (const row of Object.values(rows)) await setOwnEntitlement(license, row, true)
    const codes = (await api(client, apiKey).verify(license.key)).body().entitlements
    assert.deepEqual(codes, ['a1', 'a_c', 'ab', 'b'])
    assert.deepEqual(codes, [...codes].sort())
  })

  test('an answer that is not valid carries no entitlements', async ({ client, assert }) => {
    const calls = api(client, apiKey)
    const expired = await licensedProduct({
      type: '1m',
      expiryBasis: 'creation',
      expiresAt: DateTime.utc().minus({ days: 400 }),
    })
    const answer = await calls.verify(expired.license.key)
    assert.isFalse(answer.body().valid)
    assert.notProperty(answer.body(), 'entitlements')

    const { license } = await licensedProduct()
    const unknownDevice = await calls.verify(license.key, fingerprint())
    assert.equal(unknownDevice.body().code, 'DEVICE_NOT_ACTIVATED')
    assert.notProperty(unknownDevice.body(), 'entitlements')
  })

  test('check answers every effective code when all asked for are there', async ({
    client,
    assert,
  }) => {
    const { license } = await licensedProduct()
    const answer = await api(client, apiKey).check(license.key.toLowerCase(), [
      'sync',
      'export_pdf',
    ])
    answer.assertStatus(200)
    assert.deepEqual(answer.body(), {
      ok: true,
      entitlements: ['api_access', 'export_pdf', 'sync'],
    })
  })

  test('check names the missing codes: withdrawn, never granted, unknown; once each, in order', async ({
    client,
    assert,
  }) => {
    const { license } = await licensedProduct()
    const answer = await api(client, apiKey).check(license.key, [
      'unknown_feature',
      'sync',
      'beta',
      'teams',
      'unknown_feature',
    ])
    answer.assertStatus(403)
    assert.equal(answer.body().error.code, 'ENTITLEMENTS_MISSING')
    assert.equal(
      answer.body().error.message,
      'The license does not include every feature asked for.'
    )
    assert.deepEqual(answer.body().error.missing, ['unknown_feature', 'beta', 'teams'])
  })

  test('check needs a usable license', async ({ client, assert }) => {
    const calls = api(client, apiKey)
    const suspended = await licensedProduct({ status: 'suspended' })
    const refused = await calls.check(suspended.license.key, ['sync'])
    refused.assertStatus(403)
    assert.equal(refused.body().error.code, 'LICENSE_SUSPENDED')

    const revoked = await licensedProduct({ status: 'revoked' })
    assert.equal(
      (await calls.check(revoked.license.key, ['sync'])).body().error.code,
      'LICENSE_REVOKED'
    )

    const expired = await licensedProduct({
      type: '1m',
      expiryBasis: 'creation',
      expiresAt: DateTime.utc().minus({ days: 400 }),
    })
    assert.equal(
      (await calls.check(expired.license.key, ['sync'])).body().error.code,
      'LICENSE_EXPIRED'
    )

    const unknown = await calls.check('AAAA-BBBB-CCCC-DDDD', ['sync'])
    unknown.assertStatus(404)
    assert.equal(unknown.body().error.code, 'LICENSE_NOT_FOUND')
  })

  test('check validates its input', async ({ client, assert }) => {
    const { license } = await licensedProduct()
    const calls = api(client, apiKey)
    const invalid = async (entitlements: unknown) => {
      const answer = await calls.check(license.key, entitlements)
      answer.assertStatus(422)
      assert.equal(answer.body().error.code, 'VALIDATION_ERROR')
      return answer.body().error.fields.map((field: { field: string }) => field.field)
    }
    assert.include(await invalid([]), 'entitlements')
    assert.include(await invalid('sync'), 'entitlements')
    assert.include(
      await invalid(Array.from({ length: 101 }, (_, index) => `f${index}`)),
      'entitlements'
    )
    assert.include(await invalid(['Export-PDF']), 'entitlements.0')
    assert.include(await invalid(['sync', 42]), 'entitlements.1')

    const hundred = await calls.check(
      license.key,
      Array.from({ length: 100 }, () => 'sync')
    )
    hundred.assertStatus(200)

    const noKey = await client
      .post('/api/license/entitlements/check')
      .json({ license_key: license.key, entitlements: ['sync'] })
    noKey.assertStatus(401)
  })

  test('no plugin can take the name entitlements at any point', async ({ assert }) => {
    const extensions = await app.container.make(ClientResponseExtensions)
    for (const point of ['verify', 'session_start', 'lease'] as const) {
      assert.throws(
        () => extensions.add(point, 'entitlements', async () => []),
        `A plugin cannot add "entitlements" to ${point}: the core's answer has a field of that name`
      )
    }
  })

  test('effectiveForMany answers many licenses in one query, every id included', async ({
    assert,
  }) => {
    const first = await licensedProduct()
    const second = await licensedProduct()
    const bare = await createLicense({ type: 'perpetual' })
    const entitlements = await app.container.make(LicenseEntitlements)
    const byLicense = await entitlements.effectiveForMany([
      first.license.id,
      second.license.id,
      bare.id,
    ])
    assert.deepEqual(
      [...byLicense],
      [
        [first.license.id, ['api_access', 'export_pdf', 'sync']],
        [second.license.id, ['api_access', 'export_pdf', 'sync']],
        [bare.id, []],
      ]
    )
    assert.deepEqual(await entitlements.effectiveFor(bare), [])
    assert.equal((await entitlements.effectiveForMany([])).size, 0)
  })

  test('grant, withdraw and reset change what the client is told, audited once each', async ({
    client,
    assert,
  }) => {
    const { rows, license } = await licensedProduct()
    const entitlements = await app.container.make(LicenseEntitlements)
    const actor = cliActor('tests')
    const since = await lastAuditId()
    const effective = async () =>
      (await api(client, apiKey).verify(license.key)).body().entitlements

    assert.isTrue(await entitlements.grant(license.id, rows.teams.id, actor))
    assert.isFalse(await entitlements.grant(license.id, rows.teams.id, actor), 'already granted')
    assert.isTrue(await entitlements.withdraw(license.id, rows.sync.id, actor))
    assert.isTrue(await entitlements.reset(license.id, rows.beta.id, actor))
    assert.isFalse(await entitlements.reset(license.id, rows.export_pdf.id, actor), 'no own row')
    assert.deepEqual(await effective(), ['api_access', 'beta', 'export_pdf', 'teams'])

    const audit = await auditRowsAfter(since)
    assert.deepEqual(
      audit.map((row) => [row.action, row.subjectId, row.before, row.after]),
      [
        [
          'license.entitlement_granted',
          String(license.id),
          { entitlement: 'teams', own: null },
          {
            entitlement: 'teams',
            own: 'granted',
            entitlements: ['api_access', 'export_pdf', 'sync', 'teams'],
          },
        ],
        [
          'license.entitlement_withdrawn',
          String(license.id),
          { entitlement: 'sync', own: null },
          {
            entitlement: 'sync',
            own: 'withdrawn',
            entitlements: ['api_access', 'export_pdf', 'teams'],
          },
        ],
        [
          'license.entitlement_reset',
          String(license.id),
          { entitlement: 'beta', own: 'withdrawn' },
          {
            entitlement: 'beta',
            own: null,
            entitlements: ['api_access', 'beta', 'export_pdf', 'teams'],
          },
        ],
      ]
    )

    const foreign = (await createEntitlements(await createProduct(), ['foreign'])).foreign
    await assert.rejects(
      () => entitlements.grant(license.id, foreign.id, actor),
      /unknown_entitlement/
    )
  })
})

test.group('Panel: a license page shows its entitlements', () => {
  test('each entitlement with where it comes from, and the forms to change it', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const { template, rows, license } = await licensedProduct()
    const page = await client.get(`/admin/licenses/${license.id}`)
    assert.equal(page.status, 200)
    assert.include(page.body, `Follows the template “${template.name}”`)
    const rowOf = (code: string) => {
      const match = page.body.match(new RegExp(`<tr>\\s*<td><code>${code}</code>[\\s\\S]*?</tr>`))
      assert.isNotNull(match, `a row for ${code}`)
      return match![0]
    }
    assert.include(rowOf('export_pdf'), 'from the template')
    assert.include(rowOf('export_pdf'), '>yes<')
    assert.include(rowOf('beta'), 'withdrawn from this license (the template includes it)')
    assert.include(rowOf('beta'), '>no<')
    assert.include(rowOf('api_access'), 'granted to this license')
    assert.include(rowOf('teams'), 'not included')
    const action = `/admin/licenses/${license.id}/entitlements/`
    assert.include(rowOf('teams'), `action="${action}${rows.teams.id}"`)
    assert.include(rowOf('teams'), 'value="granted"')
    assert.include(rowOf('export_pdf'), 'value="withdrawn"')
    assert.include(rowOf('beta'), 'value="template"')
    assert.notInclude(rowOf('export_pdf'), 'value="template"', 'nothing of its own to reset')

    const plain = await createLicense({ productId: license.productId, type: 'perpetual' })
    const plainPage = await client.get(`/admin/licenses/${plain.id}`)
    assert.include(plainPage.body, 'No template: the license has the entitlements granted here.')

    const empty = await createLicense({ type: 'perpetual' })
    assert.include(
      (await client.get(`/admin/licenses/${empty.id}`)).body,
      'The product has no entitlements yet.'
    )
  })

  test('in German too', async ({ assert }) => {
    const { client, admin } = await loggedInPanel('admin')
    admin.locale = 'de'
    await admin.save()
    const { template, license } = await licensedProduct()
    const page = await client.get(`/admin/licenses/${license.id}`)
    assert.include(page.body, '<h2 id="entitlements">Berechtigungen</h2>')
    assert.include(page.body, `Folgt der Vorlage „${template.name}“`)
    assert.include(page.body, 'dieser Lizenz entzogen (die Vorlage enthält sie)')
    assert.include(page.body, 'Vorlage folgen')
  })

  test('grant, withdraw and follow the template from the page; audited; CSRF and catalogue enforced', async ({
    assert,
    client: apiClient,
  }) => {
    const { client, admin } = await loggedInPanel('admin')
    const { rows, license } = await licensedProduct()
    const apiKey = await newApiKey()
    const effective = async () =>
      (await api(apiClient, apiKey).verify(license.key)).body().entitlements
    const url = (entitlement: Entitlement) =>
      `/admin/licenses/${license.id}/entitlements/${entitlement.id}`
    await client.get(`/admin/licenses/${license.id}`)
    const since = await lastAuditId()

    const granted = await client.post(url(rows.teams), { own: 'granted' })
    assert.equal(granted.status, 302)
    assert.equal(granted.location, `/admin/licenses/${license.id}#entitlements`)
    const after = await client.get(`/admin/licenses/${license.id}`)
    assert.include(after.body, 'The entitlement was granted to this license.')
    assert.include(after.body, 'license.entitlement_granted', 'in the page’s audit trail')

    await client.post(url(rows.export_pdf), { own: 'withdrawn' })
    await client.post(url(rows.beta), { own: 'template' })
    assert.deepEqual(await effective(), ['api_access', 'beta', 'sync', 'teams'])

    await client.get(`/admin/licenses/${license.id}`)
    await client.post(url(rows.beta), { own: 'template' })
    assert.include((await client.get(`/admin/licenses/${license.id}`)).body, 'Nothing changed')

    const audit = await auditRowsAfter(since)
    assert.deepEqual(
      audit.map((row) => [row.action, row.actorType, row.actorId]),
      [
        ['license.entitlement_granted', 'admin', String(admin.id)],
        ['license.entitlement_withdrawn', 'admin', String(admin.id)],
        ['license.entitlement_reset', 'admin', String(admin.id)],
      ]
    )

    // Refused without the CSRF token, and an unknown choice is refused too: neither changes a thing.
    await client.post(url(rows.sync), { own: 'withdrawn' }, { csrf: false })
    const invalid = await client.post(url(rows.sync), { own: 'maybe' })
    assert.equal(invalid.status, 302)
    const foreign = (await createEntitlements(await createProduct(), ['foreign'])).foreign
    const refused = await client.post(url(foreign), { own: 'granted' })
    assert.equal(refused.location, `/admin/licenses/${license.id}#entitlements`)
    assert.include(
      (await client.get(`/admin/licenses/${license.id}`)).body,
      'That entitlement is not in the catalogue of the license’s product.'
    )
    assert.deepEqual(await effective(), ['api_access', 'beta', 'sync', 'teams'])
    assert.lengthOf(await auditRowsAfter(since), 3)

    const missing = await client.post(`/admin/licenses/999999999/entitlements/${rows.sync.id}`, {
      own: 'granted',
    })
    assert.equal(missing.status, 404)
  })
})
