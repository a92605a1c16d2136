import { test } from '@japa/runner'
import type { BaseCommand } from '@adonisjs/core/ace'
import AuditLog from '#models/audit_log'
import Entitlement from '#models/entitlement'
import License from '#models/license'
import LicenseTemplate from '#models/license_template'
import Meter from '#models/meter'
import Product from '#models/product'
import { unique } from '#tests/support/fixtures'
import { logsOf, runCommand } from '#tests/support/commands'
import EntitlementCreate from '../../app/commands/entitlement_create.ts'
import EntitlementList from '../../app/commands/entitlement_list.ts'
import LicenseGenerate from '../../app/commands/license_generate.ts'
import MeterCreate from '../../app/commands/meter_create.ts'
import MeterList from '../../app/commands/meter_list.ts'
import TemplateCreate from '../../app/commands/template_create.ts'
import TemplateList from '../../app/commands/template_list.ts'

/** The JSON a `--json` list printed. */
const jsonOf = (command: BaseCommand) => JSON.parse(command.logger.getLogs().at(-1)!.message)

const newProduct = () => Product.create({ name: 'Catalogue commands', slug: unique('cat') })

test.group('entitlement:create and entitlement:list', () => {
  test('adds an entitlement to the product, audited; lists it; refuses bad or taken codes', async ({
    assert,
  }) => {
    const product = await newProduct()
    const created = await runCommand(EntitlementCreate, [
      'export_pdf',
      'PDF export',
      '--product',
      product.slug,
      '--description',
      'Printable reports',
    ])
    assert.equal(created.exitCode, 0, logsOf(created))
    const entitlement = await Entitlement.findByOrFail({
      productId: product.id,
      code: 'export_pdf',
    })
    assert.equal(entitlement.description, 'Printable reports')
    const audit = await AuditLog.query()
      .where({ action: 'entitlement.created', subjectId: String(entitlement.id) })
      .firstOrFail()
    assert.equal(audit.actorType, 'cli')

    const taken = await runCommand(EntitlementCreate, [
      'export_pdf',
      'Again',
      '--product',
      product.slug,
    ])
    assert.equal(taken.exitCode, 1)
    assert.include(logsOf(taken), 'CODE: The product has an entry with this code already.')
    const malformed = await runCommand(EntitlementCreate, [
      'Export-PDF',
      'Bad',
      '--product',
      product.slug,
    ])
    assert.equal(malformed.exitCode, 1)
    assert.include(logsOf(malformed), 'The CODE field format is invalid')
    const unknown = await runCommand(EntitlementCreate, ['sso', 'SSO', '--product', unique('nope')])
    assert.equal(unknown.exitCode, 1)
    assert.include(logsOf(unknown), 'No product has the slug')
    assert.lengthOf(await Entitlement.query().where('productId', product.id), 1)

    const listed = await runCommand(EntitlementList, ['--product', product.slug, '--json'])
    assert.deepEqual(jsonOf(listed), [
      {
        product: product.slug,
        code: 'export_pdf',
        name: 'PDF export',
        description: 'Printable reports',
      },
    ])
    const table = await runCommand(EntitlementList, ['--product', product.slug])
    assert.include(logsOf(table), 'export_pdf')
  })
})

test.group('meter:create and meter:list', () => {
  test('adds meters with their period, window, time zone, limit and overage; refuses what does not fit', async ({
    assert,
  }) => {
    const product = await newProduct()
    const monthly = await runCommand(MeterCreate, [
      'exports',
      'Exports',
      '--product',
      product.slug,
      '--limit',
      '100',
      '--time-zone',
      'Europe/Berlin',
    ])
    assert.equal(monthly.exitCode, 0, logsOf(monthly))
    const rolling = await runCommand(MeterCreate, [
      'api_calls',
      'API calls',
      '--product',
      product.slug,
      '--period',
      'rolling',
      '--window',
      '3600',
      '--limit',
      '1000',
      '--overage',
      'tolerance',
      '--tolerance',
      '10',
    ])
    assert.equal(rolling.exitCode, 0, logsOf(rolling))

    const noWindow = await runCommand(MeterCreate, ['seats', 'Seats', '--period', 'rolling'])
    assert.include(logsOf(noWindow), 'The --window field must be defined')
    for (const argv of [
      ['seats', 'Seats', '--period', 'rolling'],
      ['seats', 'Seats', '--time-zone', 'Atlantis/Central'],
      ['seats', 'Seats', '--overage', 'tolerance'],
      ['seats', 'Seats', '--limit', '-5'],
      ['exports', 'Again'],
    ]) {
      const refused = await runCommand(MeterCreate, [...argv, '--product', product.slug])
      assert.equal(refused.exitCode, 1, argv.join(' '))
    }
    assert.notExists(await Meter.findBy({ productId: product.id, code: 'seats' }))

    const listed = await runCommand(MeterList, ['--product', product.slug, '--json'])
    assert.deepEqual(jsonOf(listed), [
      {
        product: product.slug,
        code: 'api_calls',
        name: 'API calls',
        period: 'rolling',
        rolling_seconds: 3600,
        time_zone: 'UTC',
        default_limit: 1000,
        overage: 'tolerance',
        tolerance_percent: 10,
      },
      {
        product: product.slug,
        code: 'exports',
        name: 'Exports',
        period: 'month',
        rolling_seconds: null,
        time_zone: 'Europe/Berlin',
        default_limit: 100,
        overage: 'deny',
        tolerance_percent: null,
      },
    ])
  })
})

test.group('template:create, template:list and license:generate --template', () => {
  test('a template of entitlements and meter limits; licenses generated from it get its terms and follow it', async ({
    assert,
  }) => {
    const product = await newProduct()
    await Entitlement.createMany([
      { productId: product.id, code: 'export_pdf', name: 'PDF' },
      { productId: product.id, code: 'sso', name: 'SSO' },
    ])
    await Meter.createMany([
      { productId: product.id, code: 'exports', name: 'Exports', period: 'month' },
      { productId: product.id, code: 'calls', name: 'Calls', period: 'day' },
    ])

    const created = await runCommand(TemplateCreate, [
      'Pro',
      '--product',
      product.slug,
      '--type',
      '12m',
      '--expiry-basis',
      'creation',
      '--max-devices',
      '3',
      '--max-sessions',
      '2',
      '--policy',
      'concurrent',
      '--entitlement',
      'export_pdf,sso',
      '--meter',
      'exports=500',
      '--meter',
      'calls=unlimited',
    ])
    assert.equal(created.exitCode, 0, logsOf(created))

    for (const argv of [
      ['Pro', '--type', '1m'],
      ['Other'],
      ['Other', '--type', '1m', '--entitlement', 'missing'],
      ['Other', '--type', '1m', '--meter', 'exports'],
      ['Other', '--type', '1m', '--meter', 'nope=5'],
      ['Other', '--type', '1m', '--max-devices', '1', '--max-sessions', '2'],
    ]) {
      const refused = await runCommand(TemplateCreate, [...argv, '--product', product.slug])
      assert.equal(refused.exitCode, 1, argv.join(' '))
    }
    const unknownCode = await runCommand(TemplateCreate, [
      'Other',
      '--type',
      '1m',
      '--entitlement',
      'missing',
      '--product',
      product.slug,
    ])
    assert.include(logsOf(unknownCode), '--entitlement: The product has no entitlement missing.')
    assert.lengthOf(await LicenseTemplate.query().where('productId', product.id), 1)

    const listed = await runCommand(TemplateList, ['--product', product.slug, '--json'])
    assert.deepEqual(jsonOf(listed), [
      {
        product: product.slug,
        name: 'Pro',
        type: '12m',
        expiry_basis: 'creation',
        max_devices: 3,
        max_sessions: 2,
        session_policy: 'concurrent',
        entitlements: ['export_pdf', 'sso'],
        meters: { calls: null, exports: 500 },
        licenses: 0,
      },
    ])

    const generated = await runCommand(LicenseGenerate, [
      '--product',
      product.slug,
      '--template',
      'pro',
      '--count',
      '4',
    ])
    generated.assertSucceeded()
    const template = await LicenseTemplate.findByOrFail({ productId: product.id, name: 'Pro' })
    const licenses = await License.query().where('productId', product.id)
    assert.lengthOf(licenses, 4)
    for (const license of licenses) {
      assert.deepInclude(license.$attributes, {
        templateId: template.id,
        type: '12m',
        expiryBasis: 'creation',
        maxDevices: 3,
        maxSessions: 2,
        sessionPolicy: 'concurrent',
      })
      assert.isNotNull(license.expiresAt)
    }
    assert.equal(
      jsonOf(await runCommand(TemplateList, ['--product', product.slug, '--json']))[0].licenses,
      4
    )

    // The template's terms are the batch's: flags that would contradict them are refused.
    for (const argv of [
      ['--template', 'Pro', '--max-devices', '1'],
      ['--template', 'Pro', '--type', '1m'],
      ['--template', 'Pro', '--classic'],
      ['--template', 'Nope'],
    ]) {
      const refused = await runCommand(LicenseGenerate, ['--product', product.slug, ...argv])
      assert.equal(refused.exitCode, 1, argv.join(' '))
    }
    const unknown = await runCommand(LicenseGenerate, [
      '--product',
      product.slug,
      '--template',
      'Nope',
    ])
    assert.include(logsOf(unknown), `Product "${product.slug}" has no license template "Nope"`)
    assert.lengthOf(await License.query().where('productId', product.id), 4)
  })
})
