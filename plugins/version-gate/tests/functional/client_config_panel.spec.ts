import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { cliActor } from '#plugin_host/api'
import { createLicense, createProduct, fingerprint, newApiKey } from '#tests/support/fixtures'
import { PanelClient, auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import ClientConfigService from '../../client_config_service.js'
import { configuredProduct } from '../support.js'

/** The form as a browser submits it for a configuration. */
function formOf(fields: Record<string, unknown>) {
  const form: Record<string, string> = {}
  for (const [name, value] of Object.entries(fields)) {
    if (value === null || value === undefined || value === false) continue
    form[name] = value === true ? '1' : String(value)
  }
  return form
}

const FORM = {
  client_name: 'Bot Launcher',
  current_version: '2.4.0',
  minimum_version: '2.0.0',
  download_url: 'https://example.com/dl',
  whats_new: '* faster',
  heartbeat_interval: 20,
  session_timeout: 50,
  session_limit_message_en: 'One seat only.',
  session_limit_message_de: 'Nur ein Platz.',
}

async function configOf(productId: number) {
  return db.from('version_gate_configs').where('product_id', productId).first()
}

test.group('version-gate panel: creating a configuration', () => {
  test('the old address /lizenzserver/config/client/new leads to the form', async ({ assert }) => {
    const product = await createProduct()
    const { client } = await loggedInPanel('admin')
    const moved = await client.get('/lizenzserver/config/client/new')
    assert.equal(moved.status, 301)
    assert.equal(moved.location, '/admin/client-config/new')
    const page = await client.get(moved.location!)
    assert.equal(page.status, 200)
    assert.include(page.body, 'name="current_version"')
    assert.include(page.body, `value="${product.id}"`)

    const anonymous = new PanelClient()
    const movedAnonymous = await anonymous.get('/lizenzserver/config/client/new')
    assert.equal(movedAnonymous.location, '/admin/client-config/new')
    const refused = await anonymous.get(movedAnonymous.location!)
    assert.equal(refused.status, 302)
    assert.equal(refused.location, '/admin/login')
  })

  test('offers only products without one, and creates it with revision and audit', async ({
    assert,
  }) => {
    const product = await createProduct()
    const { product: taken } = await configuredProduct()
    const { client, admin } = await loggedInPanel('admin')
    const page = await client.get(`/admin/client-config/new?product=${product.id}`)
    assert.include(page.body, `<option value="${product.id}" selected>`)
    assert.notInclude(page.body, `<option value="${taken.id}"`)

    const since = await lastAuditId()
    const saved = await client.post('/admin/client-config', {
      product_id: product.id,
      ...formOf({ ...FORM, current_version: 'v2.4', require_version: true }),
    })
    assert.equal(saved.status, 302)
    const config = await configOf(product.id)
    assert.equal(saved.location, `/admin/client-config/${config.id}`)
    assert.include(config, {
      client_name: 'Bot Launcher',
      current_version: '2.4.0',
      minimum_version: '2.0.0',
      heartbeat_interval: 20,
      session_timeout: 50,
      require_version: true,
      revision: 1,
    })
    assert.deepEqual(config.session_limit_message, { en: 'One seat only.', de: 'Nur ein Platz.' })

    const [revision] = await db
      .from('version_gate_config_revisions')
      .where('client_config_id', config.id)
    assert.equal(revision.actor_label, admin.email)
    const audit = await auditRowsAfter(since)
    assert.deepEqual(
      audit.map((row) => [row.action, row.actorLabel, row.subjectId]),
      [['client_config.created', admin.email, String(config.id)]]
    )

    // A second configuration for the same product is refused.
    await client.get('/admin/client-config/new')
    const again = await client.post('/admin/client-config', {
      product_id: product.id,
      ...formOf(FORM),
    })
    assert.equal(again.status, 302)
    const [{ count }] = await db
      .from('version_gate_configs')
      .where('product_id', product.id)
      .count('* as count')
    assert.equal(Number(count), 1)
  })

  test('when every product has one, the form says so', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    // The seeder's rule: give every product its configuration.
    await (await app.container.make(ClientConfigService)).ensureForAllProducts(cliActor('tests'))
    const page = await client.get('/admin/client-config/new')
    assert.equal(page.status, 200)
    assert.include(page.body, 'Every product has a client configuration.')
  })
})

test.group('version-gate panel: editing', () => {
  test('a save writes a revision that says who changed what, and an audit row', async ({
    assert,
  }) => {
    const { configId } = await configuredProduct({ current_version: '1.0.0' })
    const { client, admin } = await loggedInPanel('admin')
    await client.get(`/admin/client-config/${configId}/edit`)
    const since = await lastAuditId()
    const saved = await client.post(`/admin/client-config/${configId}`, formOf(FORM))
    assert.equal(saved.location, `/admin/client-config/${configId}`)

    const revisions = await db
      .from('version_gate_config_revisions')
      .where('client_config_id', configId)
      .orderBy('revision')
    assert.lengthOf(revisions, 2)
    assert.includeMembers(revisions[1].changed_fields, [
      'client_name',
      'current_version',
      'minimum_version',
      'heartbeat_interval',
    ])
    assert.equal(revisions[1].snapshot.current_version, '2.4.0')
    const [audit] = await auditRowsAfter(since)
    assert.equal(audit.action, 'client_config.updated')
    assert.equal(audit.actorLabel, admin.email)
    assert.include(audit.before!, { current_version: '1.0.0' })
    assert.include(audit.after!, { current_version: '2.4.0', heartbeat_interval: 20 })

    // The page shows the history: who, and from what to what.
    const page = await client.get(`/admin/client-config/${configId}`)
    assert.include(page.body, admin.email)
    assert.include(page.body, '1.0.0 → 2.4.0')

    // Saving the same values again changes nothing and writes nothing.
    await client.get(`/admin/client-config/${configId}/edit`)
    const sinceSame = await lastAuditId()
    await client.post(`/admin/client-config/${configId}`, formOf(FORM))
    assert.lengthOf(await auditRowsAfter(sinceSame), 0)
    const [{ count }] = await db
      .from('version_gate_config_revisions')
      .where('client_config_id', configId)
      .count('* as count')
    assert.equal(Number(count), 2)
  })

  test('refuses what breaks the rules, and writes nothing', async ({ assert }) => {
    const { configId } = await configuredProduct()
    const { client } = await loggedInPanel('admin')
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ minimum_version: '3.0.0' }, 'minimum_version'],
      [{ current_version: 'latest' }, 'current_version'],
      [{ session_timeout: 39 }, 'session_timeout'],
      [{ heartbeat_interval: 2 }, 'heartbeat_interval'],
      [{ download_url: 'javascript:alert(1)' }, 'download_url'],
      [{ client_name: '' }, 'client_name'],
    ]
    for (const [change, field] of cases) {
      await client.get(`/admin/client-config/${configId}/edit`)
      const since = await lastAuditId()
      const response = await client.post(
        `/admin/client-config/${configId}`,
        formOf({ ...FORM, ...change })
      )
      assert.equal(response.status, 302, field)
      const back = new URL(response.location!).pathname
      assert.equal(back, `/admin/client-config/${configId}/edit`)
      const form = await client.get(back)
      assert.include(form.body, `id="field-${field}-error"`, field)
      assert.lengthOf(await auditRowsAfter(since), 0, field)
    }
    const config = await db.from('version_gate_configs').where('id', configId).first()
    assert.equal(config.revision, 1)
  })

  test('"what\'s new" is rendered as Markdown without letting HTML or script through', async ({
    assert,
  }) => {
    const { configId } = await configuredProduct({
      whats_new:
        '## New\n* **bold** item\n<script>alert(1)</script>\n[click](javascript:alert(2)) [site](https://example.com)',
    })
    const { client } = await loggedInPanel('admin')
    const page = await client.get(`/admin/client-config/${configId}`)
    assert.include(page.body, '<h2>New</h2>')
    assert.include(page.body, '<strong>bold</strong>')
    assert.include(page.body, '&lt;script&gt;alert(1)&lt;/script&gt;')
    assert.notInclude(page.body, '<script>alert(1)')
    assert.notInclude(page.body, 'href="javascript:')
    assert.include(page.body, 'href="https://example.com" rel="noopener noreferrer nofollow"')
  })

  test('an unknown configuration is 404', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    assert.equal((await client.get('/admin/client-config/999999999')).status, 404)
    assert.equal((await client.get('/admin/client-config/999999999/edit')).status, 404)
  })
})

test.group('version-gate panel: the list and the menu', () => {
  test('lists products with and without configuration; the menu links to it', async ({
    assert,
  }) => {
    const bare = await createProduct()
    const { product } = await configuredProduct({ current_version: '7.7.7' })
    const { client } = await loggedInPanel('admin')
    const page = await client.get(`/admin/client-config?q=${product.slug}`)
    assert.equal(page.status, 200)
    assert.include(page.body, '7.7.7')
    const unconfigured = await client.get(`/admin/client-config?q=${bare.slug}&configured=no`)
    assert.include(unconfigured.body, `/admin/client-config/new?product=${bare.id}`)
    const legacy = await client.get('/lizenzserver/config/client')
    assert.equal(legacy.status, 301)
    assert.equal(legacy.location, '/admin/client-config')

    const dashboard = await client.get('/admin')
    assert.include(dashboard.body, 'href="/admin/client-config"')
    assert.include(dashboard.body, 'Client configuration')
  })
})

test.group('version-gate: defaults and database rules', () => {
  test('the seeder gives every product a configuration once', async ({ assert }) => {
    const product = await createProduct()
    const configs = await app.container.make(ClientConfigService)
    const created = await configs.ensureForAllProducts(cliActor('tests'))
    assert.include(created, product.id)
    const config = await configOf(product.id)
    assert.include(config, { current_version: '1.0.0', minimum_version: '1.0.0', revision: 1 })
    assert.notInclude(await configs.ensureForAllProducts(cliActor('tests')), product.id)
  })

  test('the database refuses a timeout under twice the interval', async ({ assert }) => {
    const product = await createProduct()
    const insert = (interval: number, timeout: number) =>
      db.table('version_gate_configs').insert({
        product_id: product.id,
        client_name: 'x',
        current_version: '1.0.0',
        minimum_version: '1.0.0',
        heartbeat_interval: interval,
        session_timeout: timeout,
      })
    await assert.rejects(() => insert(30, 59), /version_gate_configs_timeout_twice_interval/)
    await assert.rejects(() => insert(2, 60), /version_gate_configs_heartbeat_interval/)
  })

  test('a configuration made in the panel gates the very next start', async ({
    client,
    assert,
  }) => {
    const product = await createProduct()
    const license = await createLicense({ productId: product.id, type: 'perpetual' })
    const apiKey = await newApiKey()
    const start = () =>
      client
        .post('/api/license/session/start')
        .header('X-API-Key', apiKey)
        .json({ license_key: license.key, hardware_fingerprint: fingerprint(), version: '1.0.0' })
    const { client: panel } = await loggedInPanel('admin')
    await panel.get('/admin/client-config/new')
    await panel.post('/admin/client-config', { product_id: product.id, ...formOf(FORM) })
    const response = await start()
    response.assertStatus(426)
    assert.equal(response.body().error.update.current_version, '2.4.0')
  })
})
