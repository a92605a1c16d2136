import { test } from '@japa/runner'
import ace from '@adonisjs/core/services/ace'
import Product from '#models/product'
import AuditLog from '#models/audit_log'
import { unique } from '#tests/support/fixtures'
import ProductCreate from '../../app/commands/product_create.ts'

async function run(argv: string[]) {
  const command = await ace.create(ProductCreate, argv)
  command.ui.switchMode('raw')
  await command.exec()
  return command
}

test.group('product:create', () => {
  test('creates a product with a slug from its name and its offline grace, audited', async ({
    assert,
  }) => {
    const name = unique('Über Tool')
    const command = await run([name, '--offline-grace-days', '3'])
    assert.equal(command.exitCode, 0)
    const product = await Product.findByOrFail('name', name)
    assert.match(product.slug, /^uber-tool-[0-9a-f]{8}$/)
    assert.equal(product.offlineGraceSeconds, 3 * 86400)
    const audit = await AuditLog.query().where({
      action: 'product.created',
      subjectId: String(product.id),
    })
    assert.equal(audit[0].actorType, 'cli')
  })

  test('sets the expiry grace, the reclaim grace and the transfer terms', async ({ assert }) => {
    const slug = unique('terms')
    const command = await run([
      'Terms',
      '--slug',
      slug,
      '--expiry-grace-days',
      '7',
      '--reclaim-grace-seconds',
      '45',
      '--transfer-cooldown-hours',
      '24',
      '--transfer-quota',
      '3',
      '--transfer-period-days',
      '90',
    ])
    assert.equal(command.exitCode, 0)
    const product = await Product.findByOrFail('slug', slug)
    assert.containsSubset(product.serialize(), {
      expiryGraceDays: 7,
      reclaimGraceSeconds: 45,
      transferCooldownSeconds: 86400,
      transferQuota: 3,
      transferQuotaPeriodDays: 90,
    })
    assert.equal((await run(['Bad', '--expiry-grace-days', '366'])).exitCode, 1)
    assert.lengthOf(await Product.query().where('name', 'Bad'), 0)
  })

  test('a taken slug or bad input is an error, and nothing is written', async ({ assert }) => {
    const slug = unique('dup')
    assert.equal((await run(['First', '--slug', slug])).exitCode, 0)
    const duplicate = await run(['Second', '--slug', slug])
    assert.equal(duplicate.exitCode, 1)
    assert.isTrue(
      duplicate.logger.getLogs().some((log) => log.message.includes('Another product has the slug'))
    )
    assert.equal(
      (await run(['Third', '--slug', unique('x'), '--offline-grace-days', '400'])).exitCode,
      1
    )
    assert.equal((await run(['Fourth', '--slug', 'Bad Slug!'])).exitCode, 1)
    assert.lengthOf(await Product.query().whereIn('name', ['Second', 'Third', 'Fourth']), 0)
  })
})
