import { readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { test } from '@japa/runner'
import ace from '@adonisjs/core/services/ace'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Customer from '#models/customer'
import Entitlement from '#models/entitlement'
import License from '#models/license'
import LicenseTemplate from '#models/license_template'
import Meter from '#models/meter'
import LicenseTemplates from '#services/catalogue/license_templates'
import LicenseGenerator from '#services/license_generator'
import LicenseTransfer from '#services/imports/license_transfer'
import AuditTrail from '#services/audit_trail'
import { SessionLedger } from '#services/session_ledger'
import { SessionPolicyRegistry } from '#services/session_policies'
import { Clock } from '#support/clock'
import i18nManager from '@adonisjs/i18n/services/main'
import { cliActor } from '#support/actor'
import CustomerImport from '../../app/commands/customer_import.ts'
import LicenseImport from '../../app/commands/license_import.ts'
import LicenseExport from '../../app/commands/license_export.ts'
import { createLicense, createProduct, fingerprint, unique } from '#tests/support/fixtures'
import {
  auditRowsAfter,
  createAdmin,
  lastAuditId,
  loggedInPanel,
  PanelClient,
} from '#tests/support/panel'
import { SessionClient, bodyOf, sessionOutcomes } from '#tests/support/sessions'
import { exportCsv, importThroughPanel } from '#tests/support/imports'

const HEADER =
  'key,product,template,customer_id,customer_email,type,expiry_basis,status,max_devices,max_sessions,session_policy,template_overrides,entitlements_granted,entitlements_withdrawn,meter_limits,activated_at,expires_at,notes'

/** A product with a catalogue (two entitlements, two meters) and a template using both. */
async function catalogue() {
  const product = await createProduct()
  const [pdf, reports, sso] = await Entitlement.createMany(
    ['export_pdf', 'reports', 'sso'].map((code) => ({ productId: product.id, code, name: code }))
  )
  const [exports, calls] = await Meter.createMany([
    { productId: product.id, code: 'exports', name: 'Exports', period: 'month', defaultLimit: 10 },
    { productId: product.id, code: 'api_calls', name: 'API calls', period: 'day' },
  ])
  const template = await LicenseTemplate.create({
    productId: product.id,
    name: unique('Pro'),
    type: '12m',
    expiryBasis: 'creation',
    maxDevices: 3,
    maxSessions: 2,
    sessionPolicy: null,
  })
  await template.related('entitlements').attach([pdf.id, reports.id])
  await template.related('meters').attach({ [exports.id]: { limit: 100 } })
  return { product, template, entitlements: { pdf, reports, sso }, meters: { exports, calls } }
}

/** A license's rows an import may touch, for before/after comparisons. */
async function snapshot(licenseIds: number[]) {
  const [licenses, grants, limits] = await Promise.all([
    db.from('licenses').whereIn('id', licenseIds).orderBy('id'),
    db
      .from('license_entitlements')
      .whereIn('license_id', licenseIds)
      .orderBy(['license_id', 'entitlement_id']),
    db
      .from('license_meter_limits')
      .whereIn('license_id', licenseIds)
      .orderBy(['license_id', 'meter_id']),
  ])
  return { licenses, grants, limits }
}

async function runCommand(
  Command: typeof LicenseImport | typeof CustomerImport | typeof LicenseExport,
  argv: string[]
) {
  const command = await ace.create(Command, argv)
  command.ui.switchMode('raw')
  await command.exec()
  const logs = command.logger.getLogs().map((log) => log.message)
  return { exitCode: command.exitCode, output: logs.join('\n') }
}

async function csvFile(text: string) {
  const path = join(tmpdir(), `${unique('import')}.csv`)
  await writeFile(path, text)
  return path
}

test.group('Import and export: licenses', () => {
  test('imports legacy keys with template, customer, entitlements and meter limits, audited once', async ({
    assert,
  }) => {
    const { client, admin } = await loggedInPanel('admin')
    const { product, template, entitlements, meters } = await catalogue()
    const email = `${unique('buyer')}@example.com`
    const customer = await Customer.create({ name: 'Buyer', email })
    const legacy = unique('legacy-key').toLowerCase()
    const plain = unique('plain').toUpperCase()
    const expires = '2027-06-30T23:59:59.000Z'
    const csv = [
      HEADER,
      // Follows the template, except max_devices; grants sso, withdraws reports, sets two limits.
      `  ${legacy} ,${product.slug},${template.name.toUpperCase()},,${email.toUpperCase()},,,,5,,,,sso,reports,exports=500; api_calls=unlimited,,${expires},From the old system`,
      // No template: a perpetual license with the defaults.
      `${plain},${product.slug},,${customer.id},,perpetual,,suspended,,,,,export_pdf,,,,,`,
    ].join('\n')
    const since = await lastAuditId()
    const { checked, imported } = await importThroughPanel(client, 'licenses', csv)
    assert.include(checked.body, 'importing it creates 2, updates 0 and leaves 0 unchanged')
    assert.equal(imported?.location, '/admin/imports')

    const first = await License.findByOrFail('key', legacy.trim().toUpperCase())
    assert.include(first.$attributes, {
      productId: product.id,
      templateId: template.id,
      customerId: customer.id,
      type: '12m',
      expiryBasis: 'creation',
      status: 'active',
      maxDevices: 5,
      maxSessions: 2,
      sessionPolicy: null,
      notes: 'From the old system',
    })
    assert.deepEqual(first.templateOverrides, ['max_devices'])
    assert.equal(first.expiresAt!.toUTC().toISO(), expires)
    const grants = await db
      .from('license_entitlements')
      .where('license_id', first.id)
      .orderBy('entitlement_id')
      .select('entitlement_id', 'granted')
    assert.deepEqual(grants, [
      { entitlement_id: entitlements.reports.id, granted: false },
      { entitlement_id: entitlements.sso.id, granted: true },
    ])
    const limits = await db
      .from('license_meter_limits')
      .where('license_id', first.id)
      .orderBy('meter_id')
      .select('meter_id', 'limit')
    assert.deepEqual(
      limits.map((row) => [row.meter_id, row.limit === null ? null : Number(row.limit)]),
      [
        [meters.exports.id, 500],
        [meters.calls.id, null],
      ]
    )

    const second = await License.findByOrFail('key', plain)
    assert.include(second.$attributes, {
      templateId: null,
      customerId: customer.id,
      type: 'perpetual',
      status: 'suspended',
      maxDevices: 1,
      maxSessions: 1,
      expiresAt: null,
    })

    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((row) => [row.action, row.actorId]),
      [['license.imported', String(admin.id)]]
    )
    assert.deepInclude(rows[0].after!, {
      created: 2,
      updated: 0,
      created_ids: [first.id, second.id],
    })
  })

  test('one bad row imports nothing, and every row problem is named by line', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const { product, template } = await catalogue()
    const existing = await createLicense({ productId: product.id, type: '1m' })
    const crowded = await createLicense({ productId: product.id, type: 'perpetual', maxDevices: 3 })
    await db.table('devices').multiInsert(
      [fingerprint(), fingerprint()].map((print) => ({
        license_id: crowded.id,
        fingerprint: print,
      }))
    )
    const good = unique('good').toUpperCase()
    const twice = unique('twice').toUpperCase()
    const csv = [
      HEADER,
      `${good},${product.slug},${template.name},,,,,,,,,,,,,,,`,
      `${unique('k')},no-such-product,,,,1m,,,,,,,,,,,,`,
      `${unique('k')},${product.slug},Nonexistent,,nobody@example.com,,,,,,,,,,,,,`,
      `${unique('k')},${product.slug},,,,perpetual,,,2,3,,,nope,,exports=lots; nometer=5,,2030-01-01T00:00:00Z,`,
      `${unique('k')},${product.slug},${template.name},,,,,,,,,colour,export_pdf,export_pdf,,,,`,
      `${existing.key},${product.slug},,,,12m,,,,,,,,,,,,`,
      `${twice},${product.slug},,,,1d,,,,,,,,,,,,`,
      `${twice.toLowerCase()},${product.slug},,,,1d,,,,,,,,,,,,`,
      `ab,${product.slug},,,,,,paused,11,,,,,,,yesterday,,`,
      `${crowded.key},${product.slug},,,,,,,1,,,,,,,,,`,
    ].join('\n')
    const since = await lastAuditId()
    const { checked, imported } = await importThroughPanel(client, 'licenses', csv)
    assert.isNull(imported, 'nothing is offered for import')
    for (const expected of [
      'Line 3, product: No product has the slug no-such-product.',
      `Line 4, template: The product ${product.slug} has no template named Nonexistent.`,
      'Line 4, customer_email: No customer has the email nobody@example.com',
      'Line 5, max_sessions: More sessions than devices (2).',
      `Line 5, entitlements_granted: The product ${product.slug} has no entitlement nope.`,
      'Line 5, meter_limits: exports=lots is not code=limit',
      `Line 5, meter_limits: The product ${product.slug} has no meter nometer.`,
      'Line 5, expires_at: A perpetual license does not expire',
      'Line 6, template_overrides: colour cannot be overridden',
      'Line 6, entitlements_withdrawn: export_pdf is both granted and withdrawn.',
      'Line 7, type: Differs from the license',
      'Line 9, key: This key is on line 8 already.',
      'Line 10, key',
      'Line 10, status',
      'Line 10, max_devices',
      'Line 10, activated_at',
      'Line 11, max_devices: The license has 2 active devices: free some first.',
    ]) {
      assert.include(checked.body, expected)
    }
    assert.notInclude(checked.body, 'Line 2,')
    assert.notInclude(checked.body, 'Line 8,')
    assert.isNull(await License.findBy('key', good), 'the good row is not written either')
    assert.isNull(await License.findBy('key', twice))
    assert.lengthOf(await auditRowsAfter(since), 0)
  })

  test('a row only the database refuses is named by line, and nothing is written', async ({
    assert,
  }) => {
    const product = await createProduct()
    const keys = [unique('first'), unique('raced'), unique('third')].map((key) => key.toUpperCase())
    /** Another admin creates the second key between the check of the rows and their writing. */
    class RacedTransfer extends LicenseTransfer {
      protected async plan(...args: Parameters<LicenseTransfer['plan']>) {
        const plan = await super.plan(...args)
        await createLicense({ productId: product.id, key: keys[1] })
        return plan
      }
    }
    const transfer = new RacedTransfer(
      await app.container.make(Clock),
      await app.container.make(SessionPolicyRegistry),
      await app.container.make(SessionLedger),
      await app.container.make(AuditTrail)
    )
    const csv = [HEADER, ...keys.map((key) => `${key},${product.slug},,,,perpetual,,,,,,,,,,,,`)]
    const result = await transfer.importCsv(
      csv.join('\n'),
      cliActor('tests'),
      i18nManager.locale('en')
    )
    assert.isUndefined(result.outcome)
    assert.lengthOf(result.problems, 1)
    assert.include(result.problems[0], { row: 3, field: '' })
    assert.include(
      result.problems[0].message,
      'The database refused this row (licenses_key_unique)'
    )
    assert.isNull(
      await License.findBy('key', keys[0]),
      'the rows of the same chunk are not written'
    )
    assert.isNull(await License.findBy('key', keys[2]))
  })

  test('a template changed between the check and the write is a problem of its rows', async ({
    assert,
  }) => {
    const { product, template } = await catalogue()
    class RacedTransfer extends LicenseTransfer {
      protected async plan(...args: Parameters<LicenseTransfer['plan']>) {
        const plan = await super.plan(...args)
        await db.from('license_templates').where('id', template.id).update({ max_devices: 5 })
        return plan
      }
    }
    const transfer = new RacedTransfer(
      await app.container.make(Clock),
      await app.container.make(SessionPolicyRegistry),
      await app.container.make(SessionLedger),
      await app.container.make(AuditTrail)
    )
    const key = unique('templated').toUpperCase()
    const csv = `${HEADER}\n${key},${product.slug},${template.name},,,,,,,,,,,,,,,\n`
    const result = await transfer.importCsv(csv, cliActor('tests'), i18nManager.locale('en'))
    assert.deepEqual(result.problems, [
      {
        row: 2,
        field: 'template',
        message: `The template ${template.name} changed while the import ran: check the file again.`,
      },
    ])
    assert.isNull(await License.findBy('key', key))
  })

  test('an export imports back without a change; an edited export changes just that', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const { product, template, entitlements, meters } = await catalogue()
    const withEmail = await Customer.create({
      name: 'With',
      email: `${unique('with')}@example.com`,
    })
    const noEmail = await Customer.create({ name: 'Without email' })
    const following = await createLicense({
      productId: product.id,
      templateId: template.id,
      type: '12m',
      expiryBasis: 'creation',
      expiresAt: DateTime.fromISO('2027-01-31T10:20:30.123Z'),
      maxDevices: 3,
      maxSessions: 2,
      customerId: withEmail.id,
      notes: '=SUM(A1)\nsecond line, "quoted"',
    })
    const overriding = await createLicense({
      productId: product.id,
      templateId: template.id,
      templateOverrides: ['max_sessions', 'session_policy'],
      maxDevices: 3,
      maxSessions: 1,
      sessionPolicy: null,
      customerId: noEmail.id,
      status: 'revoked',
    })
    const plain = await createLicense({
      productId: product.id,
      key: unique('legacy-abc').toUpperCase(),
      type: '1m',
      expiryBasis: 'first_activation',
      activatedAt: DateTime.fromISO('2026-11-01T00:00:00Z'),
      expiresAt: DateTime.fromISO('2026-12-01T00:00:00Z'),
    })
    await db.table('license_entitlements').multiInsert([
      { license_id: following.id, entitlement_id: entitlements.sso.id, granted: true },
      { license_id: following.id, entitlement_id: entitlements.reports.id, granted: false },
      { license_id: plain.id, entitlement_id: entitlements.pdf.id, granted: true },
    ])
    await db.table('license_meter_limits').multiInsert([
      { license_id: following.id, meter_id: meters.exports.id, limit: 0 },
      { license_id: following.id, meter_id: meters.calls.id, limit: null },
      { license_id: overriding.id, meter_id: meters.calls.id, limit: 12345 },
    ])
    const ids = [following.id, overriding.id, plain.id]
    const before = await snapshot(ids)

    const exported = await exportCsv(client, 'licenses')
    assert.equal(exported.status, 200)
    assert.isTrue(exported.csv.startsWith(`${HEADER}\n`))
    const line = exported.csv.split('\n').find((row) => row.startsWith(following.key))!
    assert.include(
      line,
      `${template.name},${withEmail.id},${withEmail.email},12m,creation,active,3,2,,,sso,reports,api_calls=unlimited; exports=0,,2027-01-31T10:20:30.123Z,"'=SUM(A1)`
    )

    const ofProduct = await exportCsv(client, 'licenses', `?product_id=${product.id}`)
    assert.deepEqual(
      (parse(ofProduct.csv, { columns: true }) as { key: string }[]).map((row) => row.key),
      [following.key, overriding.key, plain.key],
      "one product's licenses"
    )
    assert.include((await client.get('/admin/imports')).body, `<option value="${product.id}">`)

    const since = await lastAuditId()
    // The product's own export: what other tests left in the database is not this test's.
    const { checked, imported } = await importThroughPanel(client, 'licenses', ofProduct.csv, {
      upload: true,
    })
    assert.include(checked.body, 'importing it changes nothing')
    assert.isNull(imported)
    assert.deepEqual(await snapshot(ids), before)
    assert.lengthOf(await auditRowsAfter(since), 0)

    // Suspend one license and drop one of its grants in the spreadsheet: only that changes.
    const edited = ofProduct.csv
      .split('\n')
      .map((row) =>
        row.startsWith(following.key)
          ? row.replace(',active,', ',suspended,').replace(',sso,', ',,')
          : row
      )
      .join('\n')
    const second = await importThroughPanel(client, 'licenses', edited, { upload: true })
    assert.match(second.checked.body, /creates 0, updates 1 and leaves \d+ unchanged/)
    assert.equal(second.imported?.location, '/admin/imports')
    const after = await snapshot(ids)
    assert.equal(after.licenses[0].status, 'suspended')
    assert.deepEqual(after.licenses.slice(1), before.licenses.slice(1))
    assert.deepEqual(
      after.grants.filter((row) => row.license_id === following.id).map((row) => row.granted),
      [false]
    )
    const audit = await auditRowsAfter(since)
    assert.deepEqual(
      audit.map((row) => row.action),
      ['license.imported']
    )
    assert.deepInclude(audit[0].after!, { created: 0, updated: 1, updated_ids: [following.id] })
  })

  test('licenses issued from a template and carried along by its update round-trip', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const { product, template, entitlements } = await catalogue()
    const templates = await app.container.make(LicenseTemplates)
    const generator = await app.container.make(LicenseGenerator)
    const { keys } = await generator.generate(
      { productId: product.id, templateId: template.id, type: '1m', count: 3 },
      cliActor('tests')
    )
    await templates.update(
      template,
      {
        name: template.name,
        type: '12m',
        expiryBasis: 'creation',
        maxDevices: 4,
        maxSessions: 3,
        sessionPolicy: null,
        entitlements: ['export_pdf', 'sso'],
        meters: {},
      },
      cliActor('tests')
    )
    const issued = await License.query().whereIn('key', keys).orderBy('id')
    assert.isTrue(issued.every((license) => license.maxDevices === 4 && license.maxSessions === 3))
    await db
      .table('license_entitlements')
      .insert({ license_id: issued[0].id, entitlement_id: entitlements.sso.id, granted: false })
    const ids = issued.map((license) => license.id)
    const before = await snapshot(ids)

    const { csv } = await exportCsv(client, 'licenses', `?product_id=${product.id}`)
    const since = await lastAuditId()
    const { checked } = await importThroughPanel(client, 'licenses', csv, { upload: true })
    assert.include(checked.body, 'importing it changes nothing')
    assert.deepEqual(await snapshot(ids), before)
    assert.lengthOf(await auditRowsAfter(since), 0)
  })

  test('a license an import revokes loses its live sessions', async ({ assert, client: http }) => {
    const { client } = await loggedInPanel('admin')
    const product = await createProduct()
    const { license, api } = await SessionClient.forLicense(http, { productId: product.id })
    await bodyOf(api.start(fingerprint()))
    assert.deepEqual(await sessionOutcomes(license.id), { live: 1, ended: [] })

    const csv = `${HEADER}\n${license.key},${product.slug},,,,,,revoked,,,,,,,,,,\n`
    const since = await lastAuditId()
    const { imported } = await importThroughPanel(client, 'licenses', csv)
    assert.equal(imported?.location, '/admin/imports')
    await license.refresh()
    assert.equal(license.status, 'revoked')
    assert.deepEqual(await sessionOutcomes(license.id), { live: 0, ended: ['license'] })
    const [audit] = await auditRowsAfter(since)
    assert.deepInclude(audit.after!, { updated: 1, sessions_ended: 1 })
  })

  test("the lists lead to the import page, which speaks the admin's language", async ({
    assert,
  }) => {
    const admin = await createAdmin({ locale: 'de' })
    const client = new PanelClient()
    await client.login(admin.email)
    for (const list of ['/admin/customers', '/admin/licenses']) {
      assert.include((await client.get(list)).body, 'href="/admin/imports"')
    }
    const page = await client.get('/admin/imports')
    assert.equal(page.status, 200)
    assert.include(page.body, 'Import und Export')
    assert.include(page.body, '"/admin/imports/licenses/export.csv"')
    assert.include(page.body, 'enctype="multipart/form-data"')
    const checked = await client.post('/admin/imports/customers/check', {
      csv: 'customer_id,name\n999999999,Ghost',
    })
    assert.include(checked.body, 'Zeile 2, customer_id: Kein Kunde hat die ID 999999999.')
    const unprotected = await client.post(
      '/admin/imports/customers/check',
      { csv: 'name\nX' },
      { csrf: false }
    )
    assert.notEqual(unprotected.status, 200, 'the check needs the CSRF token')
  })

  test('license:import and customer:import check with --dry-run, then import', async ({
    assert,
  }) => {
    const { product, template } = await catalogue()
    const email = `${unique('cli')}@example.com`
    const customers = await csvFile(`customer_id,name,email,company,notes\n,CLI Buyer,${email},,\n`)
    const key = unique('cli-key').toUpperCase()
    const licenses = await csvFile(
      `${HEADER}\n${key},${product.slug},${template.name},,${email},,,,,,,,,,,,,\n`
    )

    const blocked = await runCommand(LicenseImport, [licenses, '--dry-run'])
    assert.equal(blocked.exitCode, 1, 'the customer does not exist yet')
    assert.include(blocked.output, `Line 2, customer_email: No customer has the email ${email}`)
    assert.include(blocked.output, 'nothing was imported')

    const dry = await runCommand(CustomerImport, [customers, '--dry-run'])
    assert.equal(dry.exitCode, 0)
    assert.include(dry.output, 'would create 1, update 0 and leave 0 unchanged')
    assert.isNull(await Customer.findBy('email', email), 'a dry run writes nothing')

    const since = await lastAuditId()
    assert.equal((await runCommand(CustomerImport, [customers])).exitCode, 0)
    const imported = await runCommand(LicenseImport, [licenses])
    assert.equal(imported.exitCode, 0)
    assert.include(imported.output, '1 created, 0 updated, 0 unchanged')
    const license = await License.findByOrFail('key', key)
    assert.equal(license.customerId, (await Customer.findByOrFail('email', email)).id)
    assert.equal(license.maxDevices, 3, "the template's")
    const audit = await auditRowsAfter(since)
    assert.deepEqual(
      audit.map((row) => [row.action, row.actorType]),
      [
        ['customer.imported', 'cli'],
        ['license.imported', 'cli'],
      ]
    )

    const again = await runCommand(LicenseImport, [licenses])
    assert.include(again.output, '0 created, 0 updated, 1 unchanged')

    // Exported by the command, imported back by the other: nothing changes.
    const out = join(tmpdir(), `${unique('export')}.csv`)
    const exported = await runCommand(LicenseExport, ['--product', product.slug, '--out', out])
    assert.equal(exported.exitCode, 0)
    assert.equal((await stat(out)).mode & 0o777, 0o600, 'keys are readable by their owner only')
    assert.include(await readFile(out, 'utf8'), `${key},${product.slug},${template.name}`)
    const roundTrip = await runCommand(LicenseImport, [out])
    assert.include(roundTrip.output, '0 created, 0 updated, 1 unchanged')
    const taken = await runCommand(LicenseExport, ['--out', out])
    assert.equal(taken.exitCode, 1)
    assert.include(taken.output, 'already exists')
    const unknown = await runCommand(LicenseExport, ['--product', 'no-such-product'])
    assert.equal(unknown.exitCode, 1)
    assert.include(unknown.output, 'No product has the slug "no-such-product"')
    const missing = await runCommand(LicenseImport, [join(tmpdir(), unique('missing'))])
    assert.equal(missing.exitCode, 1)
    assert.include(missing.output, 'Cannot read')
  })
})
