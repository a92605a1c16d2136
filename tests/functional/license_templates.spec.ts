import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import Entitlement from '#models/entitlement'
import License from '#models/license'
import LicenseTemplates, { type TemplateInput } from '#services/catalogue/license_templates'
import LicenseGenerator from '#services/license_generator'
import { DomainError } from '#exceptions/domain_error'
import { cliActor } from '#support/actor'
import { generateLicenseKey } from '#support/license_keys'
import { createProduct } from '#tests/support/fixtures'
import { waitUntil } from '#tests/support/faults'

const actor = cliActor('tests')

const terms = (changes: Partial<TemplateInput> = {}): TemplateInput => ({
  name: 'Standard',
  type: '1m',
  expiryBasis: 'first_activation',
  maxDevices: 1,
  maxSessions: 1,
  sessionPolicy: null,
  ...changes,
})

/** Whether a query whose text is `like` the pattern is waiting for a row lock. */
async function queryWaitingForLock(like: string) {
  const waiting = await db
    .from('pg_stat_activity')
    .whereRaw('datname = current_database()')
    .where('wait_event_type', 'Lock')
    .where('query', 'like', like)
    .count('* as n')
  return Number(waiting[0].n) > 0
}

test.group('License templates: following, not copying', () => {
  test('a template update waits for a batch being issued from it, then carries its settings to that batch too', async ({
    assert,
  }) => {
    const templates = await app.container.make(LicenseTemplates)
    const generator = await app.container.make(LicenseGenerator)
    const product = await createProduct()
    const template = await templates.create(product, terms(), actor)

    // A batch in flight: its transaction holds the template FOR SHARE.
    const issuing = await db.transaction()
    const { keys } = await generator.generate(
      { productId: product.id, templateId: template.id, type: template.type, count: 20 },
      actor,
      undefined,
      issuing
    )
    const updating = templates.update(template, terms({ maxDevices: 4, maxSessions: 2 }), actor)
    await waitUntil('the template update waits for the batch', () =>
      queryWaitingForLock('%license_templates%')
    )
    await issuing.commit()

    const { licensesUpdated } = await updating
    assert.equal(licensesUpdated, 20, 'the batch committed first, so the update reached it')
    const licenses = await License.query().whereIn('key', keys)
    assert.lengthOf(licenses, 20)
    assert.isTrue(
      licenses.every((license) => license.maxDevices === 4 && license.maxSessions === 2)
    )
  })

  test('a template update behind a license edit sees the override the edit made', async ({
    assert,
  }) => {
    const templates = await app.container.make(LicenseTemplates)
    const product = await createProduct()
    const template = await templates.create(product, terms({ maxDevices: 2 }), actor)
    const [edited, following] = await Promise.all(
      [1, 2].map(() =>
        License.create({
          key: generateLicenseKey(),
          productId: product.id,
          templateId: template.id,
          type: '1m',
          expiryBasis: 'first_activation',
          status: 'active',
          maxDevices: 2,
          maxSessions: 1,
          features: {},
        })
      )
    )

    // An edit in flight holds the license's row lock, as LicenseAdminService does.
    const editing = await db.transaction()
    await editing.from('licenses').where('id', edited.id).forUpdate().first()
    await editing
      .from('licenses')
      .where('id', edited.id)
      .update({ max_devices: 6, template_overrides: ['max_devices'] })
    const updating = templates.update(template, terms({ maxDevices: 3 }), actor)
    await waitUntil('the template update waits for the edited license', () =>
      queryWaitingForLock('UPDATE licenses SET%')
    )
    await editing.commit()

    const { licensesUpdated } = await updating
    assert.equal(licensesUpdated, 1, 'only the license that still follows')
    await edited.refresh()
    await following.refresh()
    assert.equal(edited.maxDevices, 6)
    assert.equal(following.maxDevices, 3)
  })

  test("another product's entitlements and meters are unknown to a template", async ({
    assert,
  }) => {
    const templates = await app.container.make(LicenseTemplates)
    const product = await createProduct()
    const other = await createProduct()
    await Entitlement.create({ productId: other.id, code: 'elsewhere', name: 'Elsewhere' })
    await assert.rejects(
      () => templates.create(product, terms({ entitlements: ['elsewhere'] }), actor),
      DomainError
    )
    const refused = await templates
      .create(product, terms({ meters: { elsewhere: 5 } }), actor)
      .catch((error) => error)
    assert.isTrue(DomainError.is(refused, 'unknown_meter'))
    assert.equal(refused.field, 'meters')
    assert.isNull(await templates.findByName(product.id, 'standard'), 'nothing was written')
  })

  test('an issue from a template of another product is refused, and writes nothing', async ({
    assert,
  }) => {
    const templates = await app.container.make(LicenseTemplates)
    const generator = await app.container.make(LicenseGenerator)
    const product = await createProduct()
    const other = await createProduct()
    const template = await templates.create(product, terms(), actor)
    const refused = await generator
      .generate(
        { productId: other.id, templateId: template.id, type: template.type, count: 3 },
        actor
      )
      .catch((error) => error)
    assert.isTrue(DomainError.is(refused, 'template_other_product'))
    assert.lengthOf(await License.query().where('productId', other.id), 0)
  })
})
