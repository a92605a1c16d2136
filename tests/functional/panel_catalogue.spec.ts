import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Entitlement from '#models/entitlement'
import License from '#models/license'
import LicenseTemplate from '#models/license_template'
import Meter from '#models/meter'
import { createLicense, createProduct, unique } from '#tests/support/fixtures'
import {
  PanelClient,
  auditRowsAfter,
  createAdmin,
  lastAuditId,
  loggedInPanel,
} from '#tests/support/panel'

/** A template of the product with its entitlements and meter limits, through the panel. */
async function templateThroughPanel(
  client: PanelClient,
  productId: number,
  fields: Record<string, string | number | (string | number)[] | undefined>
) {
  await client.get(`/admin/products/${productId}/templates/new`)
  const response = await client.post(`/admin/products/${productId}/templates`, {
    type: '1m',
    expiry_basis: 'first_activation',
    max_devices: 2,
    max_sessions: 1,
    session_policy: '',
    ...fields,
  })
  return response
}

const templateNamed = (productId: number, name: string) =>
  LicenseTemplate.query()
    .where({ productId, name })
    .preload('entitlements')
    .preload('meters')
    .firstOrFail()

test.group('Panel: a product catalogue', () => {
  test('entitlements: create, refuse a taken or malformed code, rename, delete only when unheld; audited', async ({
    assert,
  }) => {
    const { client, admin } = await loggedInPanel('admin')
    const product = await createProduct()
    const since = await lastAuditId()

    const products = await client.get('/admin/products?q=' + product.slug)
    assert.include(products.body, `/admin/products/${product.id}/catalogue`)

    await client.get(`/admin/products/${product.id}/entitlements/new`)
    const created = await client.post(`/admin/products/${product.id}/entitlements`, {
      code: 'export_pdf',
      name: 'PDF export',
      description: '',
    })
    assert.equal(created.location, `/admin/products/${product.id}/catalogue`)
    const entitlement = await Entitlement.findByOrFail({
      productId: product.id,
      code: 'export_pdf',
    })
    assert.equal(entitlement.name, 'PDF export')
    assert.isNull(entitlement.description)

    await client.get(`/admin/products/${product.id}/entitlements/new`)
    const taken = await client.post(`/admin/products/${product.id}/entitlements`, {
      code: 'export_pdf',
      name: 'Again',
    })
    assert.match(taken.location!, /\/entitlements\/new$/)
    assert.include(
      (await client.get(taken.location!)).body,
      'The product has an entry with this code already.'
    )
    for (const code of ['Export', '1st', 'with-dash', 'a'.repeat(61)]) {
      const refused = await client.post(`/admin/products/${product.id}/entitlements`, {
        code,
        name: 'Bad',
      })
      assert.equal(refused.status, 302)
    }
    assert.lengthOf(await Entitlement.query().where('productId', product.id), 1)

    await client.get(`/admin/products/${product.id}/entitlements/${entitlement.id}/edit`)
    await client.post(`/admin/products/${product.id}/entitlements/${entitlement.id}`, {
      code: 'renamed_code',
      name: 'Export to PDF',
      description: 'Printable reports',
    })
    await entitlement.refresh()
    assert.equal(entitlement.code, 'export_pdf', 'the code never changes')
    assert.equal(entitlement.name, 'Export to PDF')

    // Held by a template: not deleted.
    const template = await templateThroughPanel(client, product.id, {
      'name': 'Pro',
      'entitlements[]': ['export_pdf'],
    })
    assert.equal(template.location, `/admin/products/${product.id}/catalogue`)
    const page = await client.get(`/admin/products/${product.id}/catalogue`)
    assert.include(page.body, '<code>export_pdf</code>')
    await client.post(`/admin/products/${product.id}/entitlements/${entitlement.id}/delete`, {})
    assert.exists(await Entitlement.find(entitlement.id))
    assert.include(
      (await client.get(`/admin/products/${product.id}/catalogue`)).body,
      'export_pdf cannot be deleted: 1 template and 0 licenses hold it.'
    )

    const spare = await Entitlement.create({ productId: product.id, code: 'spare', name: 'Spare' })
    await client.post(`/admin/products/${product.id}/entitlements/${spare.id}/delete`, {})
    assert.isNull(await Entitlement.find(spare.id))

    // Another product's entitlement is not reachable under this product.
    const other = await createProduct()
    const foreign = await Entitlement.create({ productId: other.id, code: 'foreign', name: 'F' })
    assert.equal(
      (await client.get(`/admin/products/${product.id}/entitlements/${foreign.id}/edit`)).status,
      404
    )

    const rows = (await auditRowsAfter(since)).filter((row) =>
      row.action.startsWith('entitlement.')
    )
    assert.deepEqual(
      rows.map((row) => row.action),
      ['entitlement.created', 'entitlement.updated', 'entitlement.deleted']
    )
    assert.isTrue(rows.every((row) => row.actorId === String(admin.id)))
    assert.deepInclude(rows[1].before!, { name: 'PDF export' })
    assert.deepInclude(rows[1].after!, { name: 'Export to PDF', description: 'Printable reports' })
  })

  test('meters: periods, windows, time zones and overage policies are checked; the period stays once usage is recorded', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const product = await createProduct()
    const since = await lastAuditId()
    const meterForm = `/admin/products/${product.id}/meters/new`

    await client.get(meterForm)
    const created = await client.post(`/admin/products/${product.id}/meters`, {
      code: 'exports',
      name: 'Exports',
      period: 'day',
      rolling_seconds: '3600',
      time_zone: 'Europe/Berlin',
      default_limit: '50',
      overage: 'tolerance',
      tolerance_percent: '10',
    })
    assert.equal(created.location, `/admin/products/${product.id}/catalogue`)
    const meter = await Meter.findByOrFail({ productId: product.id, code: 'exports' })
    assert.equal(meter.period, 'day')
    assert.isNull(meter.rollingSeconds, 'a window only for rolling meters')
    assert.equal(meter.timeZone, 'Europe/Berlin')
    assert.equal(meter.defaultLimit, 50)
    assert.equal(meter.overage, 'tolerance')
    assert.equal(meter.tolerancePercent, 10)

    for (const body of [
      { code: 'calls', name: 'Calls', period: 'rolling', overage: 'deny' },
      { code: 'calls', name: 'Calls', period: 'day', overage: 'tolerance' },
      { code: 'calls', name: 'Calls', period: 'day', overage: 'deny', time_zone: 'Mars/Base' },
      { code: 'calls', name: 'Calls', period: 'week', overage: 'deny' },
      { code: 'calls', name: 'Calls', period: 'day', overage: 'deny', default_limit: '-1' },
      { code: 'calls', name: 'Calls', period: 'rolling', rolling_seconds: '59', overage: 'deny' },
    ]) {
      await client.get(meterForm)
      const refused = await client.post(`/admin/products/${product.id}/meters`, body)
      assert.match(refused.location!, /\/meters\/new$/, JSON.stringify(body))
    }
    assert.lengthOf(await Meter.query().where('productId', product.id), 1)

    await client.get(meterForm)
    await client.post(`/admin/products/${product.id}/meters`, {
      code: 'api_calls',
      name: 'API calls',
      period: 'rolling',
      rolling_seconds: '86400',
      overage: 'allow',
      tolerance_percent: '5',
    })
    const rolling = await Meter.findByOrFail({ productId: product.id, code: 'api_calls' })
    assert.equal(rolling.rollingSeconds, 86400)
    assert.isNull(rolling.tolerancePercent, 'a percentage only for tolerance')
    assert.isNull(rolling.defaultLimit)
    assert.equal(rolling.timeZone, 'UTC')
    assert.include(
      (await client.get(`/admin/products/${product.id}/catalogue`)).body,
      'rolling window of 1 day'
    )

    // Before any usage, the period may change; after, it may not (the rest may).
    const edit = `/admin/products/${product.id}/meters/${meter.id}`
    await client.get(`${edit}/edit`)
    await client.post(edit, {
      name: 'Exports',
      period: 'month',
      time_zone: 'Europe/Berlin',
      default_limit: '50',
      overage: 'deny',
    })
    await meter.refresh()
    assert.equal(meter.period, 'month')
    assert.isNull(meter.tolerancePercent)

    const license = await createLicense({ productId: product.id })
    await db.table('usage_counters').insert({
      license_id: license.id,
      meter_id: meter.id,
      period_start: new Date('2026-12-01T00:00:00+01:00'),
      used: 3,
    })
    await client.get(`${edit}/edit`)
    const locked = await client.post(edit, {
      name: 'Exports',
      period: 'day',
      time_zone: 'Europe/Berlin',
      default_limit: '50',
      overage: 'deny',
    })
    assert.match(locked.location!, /\/edit$/)
    assert.include(
      (await client.get(locked.location!)).body,
      'Usage of this meter is recorded already'
    )
    await client.post(edit, {
      name: 'PDF exports',
      period: 'month',
      time_zone: 'Europe/Berlin',
      default_limit: '80',
      overage: 'deny',
    })
    await meter.refresh()
    assert.equal(meter.period, 'month')
    assert.equal(meter.name, 'PDF exports')
    assert.equal(meter.defaultLimit, 80)

    await client.post(`${edit}/delete`, {})
    assert.exists(await Meter.find(meter.id), 'a meter with usage is kept')
    await client.post(`/admin/products/${product.id}/meters/${rolling.id}/delete`, {})
    assert.isNull(await Meter.find(rolling.id))

    const actions = (await auditRowsAfter(since))
      .filter((row) => row.action.startsWith('meter.'))
      .map((row) => row.action)
    assert.deepEqual(actions, [
      'meter.created',
      'meter.created',
      'meter.updated',
      'meter.updated',
      'meter.deleted',
    ])
  })

  test('a template carries entitlements and meter limits; editing it updates the licenses that follow it, once audited', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const product = await createProduct()
    await Entitlement.createMany([
      { productId: product.id, code: 'export_pdf', name: 'PDF' },
      { productId: product.id, code: 'sso', name: 'SSO' },
    ])
    await Meter.createMany([
      {
        productId: product.id,
        code: 'exports',
        name: 'Exports',
        period: 'month',
        defaultLimit: 10,
      },
      { productId: product.id, code: 'seats', name: 'Seats', period: 'none', defaultLimit: 5 },
      { productId: product.id, code: 'calls', name: 'Calls', period: 'day' },
    ])

    const created = await templateThroughPanel(client, product.id, {
      'name': 'Team',
      'max_devices': 3,
      'max_sessions': 2,
      'session_policy': 'concurrent',
      'entitlements[]': ['export_pdf'],
      'meters[exports][mode]': 'limited',
      'meters[exports][limit]': '100',
      'meters[seats][mode]': 'unlimited',
      'meters[calls][mode]': 'default',
    })
    assert.equal(created.location, `/admin/products/${product.id}/catalogue`)
    const template = await templateNamed(product.id, 'Team')
    assert.deepEqual(
      template.entitlements.map((entitlement) => entitlement.code),
      ['export_pdf']
    )
    assert.deepEqual(
      Object.fromEntries(template.meters.map((meter) => [meter.code, meter.$extras.pivot_limit])),
      { exports: 100, seats: null }
    )

    // Refusals: a name taken (any case), sessions above devices, an unknown code.
    for (const fields of [
      { name: 'team' },
      { name: 'Other', max_devices: 1, max_sessions: 2 },
      { 'name': 'Other', 'entitlements[]': ['nope'] },
      { name: 'Other', session_policy: 'no-such-policy' },
    ]) {
      const refused = await templateThroughPanel(client, product.id, fields)
      assert.match(refused.location!, /\/templates\/new$/, JSON.stringify(fields))
    }
    // A limit without its number: the error beside that meter, the form as it was sent.
    const incomplete = await templateThroughPanel(client, product.id, {
      'name': 'Other',
      'entitlements[]': ['sso'],
      'meters[exports][mode]': 'limited',
    })
    const resent = await client.get(new URL(incomplete.location!, client.base).pathname)
    assert.include(resent.body, 'id="meter-exports-limit-error"')
    assert.match(resent.body, /name="entitlements\[\]" value="sso" checked/)
    assert.notMatch(resent.body, /name="entitlements\[\]" value="export_pdf" checked/)
    assert.lengthOf(await LicenseTemplate.query().where('productId', product.id), 1)

    // Three licenses follow the template; one keeps its own device limit.
    const follower = () =>
      createLicense({
        productId: product.id,
        templateId: template.id,
        maxDevices: 3,
        maxSessions: 2,
        sessionPolicy: 'concurrent',
      })
    const [first, second, own] = [await follower(), await follower(), await follower()]
    own.merge({ maxDevices: 5, templateOverrides: ['max_devices'] })
    await own.save()
    const unrelated = await createLicense({ productId: product.id, maxDevices: 3, maxSessions: 2 })

    const since = await lastAuditId()
    const edit = `/admin/products/${product.id}/templates/${template.id}`
    const form = await client.get(`${edit}/edit`)
    assert.match(form.body, /name="entitlements\[\]" value="export_pdf" checked/)
    const saved = await client.post(edit, {
      'name': 'Team',
      'type': '12m',
      'expiry_basis': 'creation',
      'max_devices': 4,
      'max_sessions': 3,
      'session_policy': 'resumable',
      'entitlements[]': ['export_pdf', 'sso'],
      'meters[exports][mode]': 'default',
      'meters[seats][mode]': 'limited',
      'meters[seats][limit]': '7',
    })
    assert.equal(saved.location, `/admin/products/${product.id}/catalogue`)
    assert.include(
      (await client.get(saved.location!)).body,
      'Template Team saved; 3 licenses changed.'
    )

    for (const license of [first, second]) {
      await license.refresh()
      assert.deepInclude(license.$attributes, {
        maxDevices: 4,
        maxSessions: 3,
        sessionPolicy: 'resumable',
        type: '1m',
      })
    }
    await own.refresh()
    assert.equal(own.maxDevices, 5, 'an overridden field keeps the license value')
    assert.equal(own.maxSessions, 3)
    assert.equal(own.sessionPolicy, 'resumable')
    await unrelated.refresh()
    assert.equal(unrelated.maxDevices, 3, 'licenses without the template are untouched')

    const updated = await templateNamed(product.id, 'Team')
    assert.equal(updated.type, '12m')
    assert.deepEqual(updated.entitlements.map((entitlement) => entitlement.code).sort(), [
      'export_pdf',
      'sso',
    ])
    assert.deepEqual(
      Object.fromEntries(updated.meters.map((meter) => [meter.code, meter.$extras.pivot_limit])),
      { seats: 7 }
    )
    const audit = await auditRowsAfter(since)
    assert.deepEqual(
      audit.map((row) => row.action),
      ['license_template.updated'],
      'one audit row for the template and its licenses'
    )
    assert.deepInclude(audit[0].after!, {
      max_devices: 4,
      licenses_updated: 3,
      entitlements: ['export_pdf', 'sso'],
      meters: { seats: 7 },
    })
    assert.deepInclude(audit[0].before!, { max_devices: 3, meters: { exports: 100, seats: null } })

    // Saving it unchanged writes nothing.
    await client.get(`${edit}/edit`)
    await client.post(edit, {
      'name': 'Team',
      'type': '12m',
      'expiry_basis': 'creation',
      'max_devices': 4,
      'max_sessions': 3,
      'session_policy': 'resumable',
      'entitlements[]': ['export_pdf', 'sso'],
      'meters[seats][mode]': 'limited',
      'meters[seats][limit]': '7',
    })
    assert.lengthOf(await auditRowsAfter(since), 1)
  })

  test('a template change that a license override contradicts is refused whole; a used template is not deleted', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const product = await createProduct()
    await templateThroughPanel(client, product.id, { name: 'Duo', max_devices: 2, max_sessions: 1 })
    const template = await templateNamed(product.id, 'Duo')
    const follower = await createLicense({
      productId: product.id,
      templateId: template.id,
      maxDevices: 2,
      maxSessions: 1,
    })
    const own = await createLicense({
      productId: product.id,
      templateId: template.id,
      maxDevices: 2,
      maxSessions: 1,
      templateOverrides: ['max_devices'],
    })

    const edit = `/admin/products/${product.id}/templates/${template.id}`
    await client.get(`${edit}/edit`)
    const refused = await client.post(edit, {
      name: 'Duo',
      type: '1m',
      expiry_basis: 'first_activation',
      max_devices: 3,
      max_sessions: 3,
      session_policy: '',
    })
    assert.match(refused.location!, /\/edit$/)
    assert.include(
      (await client.get(refused.location!)).body,
      '1 license of this template keeps its own device or session limit'
    )
    await follower.refresh()
    await own.refresh()
    assert.equal(follower.maxDevices, 2, 'nothing was written')
    assert.equal(follower.maxSessions, 1)
    await template.refresh()
    assert.equal(template.maxDevices, 2)

    // Lowering devices below a license's active devices is allowed: bindings stay.
    await db.table('devices').insert([
      { license_id: follower.id, fingerprint: unique('fp-a'), active: true },
      { license_id: follower.id, fingerprint: unique('fp-b'), active: true },
    ])
    await client.post(edit, {
      name: 'Duo',
      type: '1m',
      expiry_basis: 'first_activation',
      max_devices: 1,
      max_sessions: 1,
      session_policy: '',
    })
    await follower.refresh()
    assert.equal(follower.maxDevices, 1)

    await client.post(`${edit}/delete`, {})
    assert.exists(await LicenseTemplate.find(template.id))
    assert.include(
      (await client.get(`/admin/products/${product.id}/catalogue`)).body,
      'The template Duo cannot be deleted: 2 licenses use it.'
    )

    await templateThroughPanel(client, product.id, { name: 'Unused' })
    const unused = await templateNamed(product.id, 'Unused')
    await client.get(`/admin/products/${product.id}/catalogue`)
    await client.post(`/admin/products/${product.id}/templates/${unused.id}/delete`, {})
    assert.isNull(await LicenseTemplate.find(unused.id))
  })

  test('a batch from a template gets its settings and follows it; editing a license marks its own values, and it can follow again', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const product = await createProduct()
    await templateThroughPanel(client, product.id, {
      name: 'Site',
      type: '6m',
      expiry_basis: 'creation',
      max_devices: 3,
      max_sessions: 2,
      session_policy: 'concurrent',
    })
    const template = await templateNamed(product.id, 'Site')

    const form = await client.get(`/admin/licenses/new?template_id=${template.id}`)
    assert.match(form.body, new RegExp(`<option value="${template.id}" selected`))
    const since = await lastAuditId()
    const issued = await client.post('/admin/licenses', {
      template_id: template.id,
      // What the form shows is ignored: the template's settings apply.
      product_id: product.id,
      type: '1d',
      count: 3,
      max_devices: 1,
      max_sessions: 1,
      expiry_basis: 'first_activation',
      session_policy: '',
    })
    assert.equal(issued.status, 200)
    const licenses = await License.query().where('productId', product.id).orderBy('id')
    assert.lengthOf(licenses, 3)
    for (const license of licenses) {
      assert.deepInclude(license.$attributes, {
        templateId: template.id,
        type: '6m',
        expiryBasis: 'creation',
        maxDevices: 3,
        maxSessions: 2,
        sessionPolicy: 'concurrent',
        templateOverrides: [],
      })
      assert.isNotNull(license.expiresAt)
    }
    const [batch] = await auditRowsAfter(since)
    assert.equal(batch.action, 'license.batch_created')
    assert.deepInclude(batch.after!, { template_id: template.id, type: '6m', count: 3 })

    // Another product's template, or none by that id: refused beside the field.
    const other = await createProduct()
    for (const templateId of [template.id, 999_999]) {
      await client.get('/admin/licenses/new')
      const refused = await client.post('/admin/licenses', {
        template_id: templateId,
        product_id: templateId === template.id ? other.id : product.id,
        type: '1m',
        count: 1,
        max_devices: 1,
        max_sessions: 1,
        expiry_basis: 'first_activation',
      })
      assert.equal(refused.location, '/admin/licenses/new')
    }
    assert.lengthOf(await License.query().where('productId', other.id), 0)

    // Editing: a changed field becomes the license's own; an unchanged one keeps following.
    const [license] = licenses
    const edit = await client.get(`/admin/licenses/${license.id}/edit`)
    assert.include(edit.body, 'From the template Site')
    await client.post(`/admin/licenses/${license.id}`, {
      status: 'active',
      max_devices: 5,
      max_sessions: 2,
      session_policy: 'concurrent',
    })
    await license.refresh()
    assert.equal(license.maxDevices, 5)
    assert.deepEqual(license.templateOverrides, ['max_devices'])

    await client.get(`/admin/products/${product.id}/templates/${template.id}/edit`)
    await client.post(`/admin/products/${product.id}/templates/${template.id}`, {
      name: 'Site',
      type: '6m',
      expiry_basis: 'creation',
      max_devices: 4,
      max_sessions: 2,
      session_policy: 'concurrent',
    })
    await license.refresh()
    assert.equal(license.maxDevices, 5, 'its own value stays')

    const followForm = await client.get(`/admin/licenses/${license.id}/edit`)
    assert.include(followForm.body, 'name="follow_max_devices"')
    const sinceFollow = await lastAuditId()
    await client.post(`/admin/licenses/${license.id}`, {
      status: 'active',
      max_devices: 5,
      max_sessions: 2,
      session_policy: 'concurrent',
      follow_max_devices: '1',
    })
    await license.refresh()
    assert.equal(license.maxDevices, 4, 'the template value again')
    assert.deepEqual(license.templateOverrides, [])
    const [followed] = await auditRowsAfter(sinceFollow)
    assert.deepEqual(followed.before, { max_devices: 5, template_overrides: ['max_devices'] })
    assert.deepEqual(followed.after, { max_devices: 4, template_overrides: [] })

    // The list's quick edit marks its own value too.
    await client.get('/admin/licenses')
    await client.post(`/admin/licenses/${license.id}/quick`, {
      status: 'active',
      max_devices: 4,
      max_sessions: 1,
    })
    await license.refresh()
    assert.deepEqual(license.templateOverrides, ['max_sessions'])

    const without = await createLicense({ productId: product.id })
    const listed = await client.get(`/admin/licenses?template_id=${template.id}`)
    for (const row of licenses) assert.include(listed.body, row.key)
    assert.notInclude(listed.body, without.key, "only the template's licenses")
    assert.include(
      (await client.get(`/admin/products/${product.id}/catalogue`)).body,
      `/admin/licenses?template_id=${template.id}`
    )

    const page = await client.get(`/admin/licenses/${license.id}`)
    assert.include(
      page.body,
      `/admin/products/${product.id}/templates/${template.id}/edit">Site</a>`
    )
    assert.include(page.body, 'own values: Max concurrent sessions')
  })

  test('the catalogue speaks German to a German admin', async ({ assert }) => {
    const admin = await createAdmin({ locale: 'de' })
    const client = new PanelClient()
    await client.login(admin.email)
    const product = await createProduct()
    await Meter.create({ productId: product.id, code: 'exports', name: 'Exports', period: 'day' })
    const page = await client.get(`/admin/products/${product.id}/catalogue`)
    assert.equal(page.status, 200)
    for (const text of [
      'Katalog von',
      'Berechtigungen',
      'Lizenzvorlagen',
      'pro Tag',
      'unbegrenzt',
    ]) {
      assert.include(page.body, text)
    }
    const form = await client.get(`/admin/products/${product.id}/templates/new`)
    assert.include(form.body, 'Standard des Zählers (unbegrenzt)')
  })

  test('the catalogue pages need a login', async ({ assert }) => {
    const anonymous = new PanelClient()
    for (const path of [
      '/admin/products/1/catalogue',
      '/admin/products/1/entitlements/new',
      '/admin/products/1/meters/new',
      '/admin/products/1/templates/new',
    ]) {
      const response = await anonymous.get(path)
      assert.equal(response.status, 302)
      assert.equal(response.location, '/admin/login')
    }
    const posted = await anonymous.post('/admin/products/1/entitlements', { code: 'x', name: 'x' })
    assert.notEqual(posted.status, 200)
  })
})
