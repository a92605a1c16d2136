import { test } from '@japa/runner'
import { writeFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { createLicense, createProduct, fingerprint, newApiKey } from '#tests/support/fixtures'
import { auditRowsAfter, lastAuditId } from '#tests/support/panel'
import { configuredProduct } from '../support.js'

async function runAce(argv: string[]) {
  const ace = await app.container.make('ace')
  ace.ui.switchMode('raw')
  const command = await ace.exec('version:publish', argv)
  const output = command.logger
    .getLogs()
    .map((log) => log.message)
    .join('\n')
  command.logger.flushLogs()
  return { exitCode: command.exitCode, output }
}

test.group('version-gate: version:publish', () => {
  test('publishes a release: revision, audit row, and the gate follows', async ({
    client,
    assert,
  }) => {
    const { product, configId } = await configuredProduct({
      current_version: '1.0.0',
      minimum_version: '1.0.0',
    })
    const notes = join(tmpdir(), `whats-new-${product.slug}.md`)
    await writeFile(notes, '## 2.0\n* rewritten\n')
    const since = await lastAuditId()
    const result = await runAce([
      product.slug,
      'v2.0',
      '--minimum=1.5',
      '--download-url=https://example.com/app-2.0.0.zip',
      `--whats-new-file=${notes}`,
    ])
    await rm(notes)
    assert.equal(result.exitCode, 0, result.output)

    const config = await db.from('version_gate_configs').where('id', configId).first()
    assert.include(config, {
      current_version: '2.0.0',
      minimum_version: '1.5.0',
      download_url: 'https://example.com/app-2.0.0.zip',
      whats_new: '## 2.0\n* rewritten',
      revision: 2,
    })
    const [audit] = await auditRowsAfter(since)
    assert.equal(audit.action, 'client_config.updated')
    assert.equal(audit.actorType, 'cli')
    assert.equal(audit.actorLabel, 'version:publish')

    const license = await createLicense({ productId: product.id, type: 'perpetual' })
    const start = await client
      .post('/api/license/session/start')
      .header('X-API-Key', await newApiKey())
      .json({ license_key: license.key, hardware_fingerprint: fingerprint(), version: '1.4.9' })
    start.assertStatus(426)
  })

  test('gives a product without configuration one', async ({ assert }) => {
    const product = await createProduct()
    const result = await runAce([product.slug, '3.1.0'])
    assert.equal(result.exitCode, 0, result.output)
    const config = await db.from('version_gate_configs').where('product_id', product.id).first()
    assert.include(config, { current_version: '3.1.0', minimum_version: '1.0.0', revision: 1 })
  })

  test('refuses what the panel refuses, and writes nothing', async ({ assert }) => {
    const { product, configId } = await configuredProduct({ current_version: '2.0.0' })
    const cases: Array<[string[], RegExp]> = [
      [[product.slug, 'latest'], /VERSION must be a version number/],
      [[product.slug, '2.1.0', '--minimum=3.0.0'], /minimum version cannot be newer/],
      [[product.slug, '2.1.0', '--download-url=ftp://x'], /--download-url/],
      [[product.slug, '2.1.0', '--whats-new-file=/no/such/file.md'], /no such file/],
      [['no-such-product', '2.1.0'], /No product has the slug/],
    ]
    for (const [argv, message] of cases) {
      const result = await runAce(argv)
      assert.equal(result.exitCode, 1, argv.join(' '))
      assert.match(result.output, message)
    }
    const config = await db.from('version_gate_configs').where('id', configId).first()
    assert.equal(config.revision, 1)
  })
})
