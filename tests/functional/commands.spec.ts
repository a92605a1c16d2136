import { randomUUID } from 'node:crypto'
import { readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { test } from '@japa/runner'
import ace from '@adonisjs/core/services/ace'
import app from '@adonisjs/core/services/app'
import type { BaseCommand } from '@adonisjs/core/ace'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import ApiKey from '#models/api_key'
import Customer from '#models/customer'
import Product from '#models/product'
import ApiKeyService from '#services/api_key_service'
import AuditTrail from '#services/audit_trail'
import LicenseGenerator from '#services/license_generator'
import { cliActor } from '#support/actor'
import { Clock, FixedClock } from '#support/clock'
import { CLASSIC_BATCH_TYPES } from '#support/license_duration'
import { LICENSE_KEY_PATTERN } from '#support/license_keys'
import ApiKeyList from '../../app/commands/apikey_list.ts'
import ApiKeyRevoke from '../../app/commands/apikey_revoke.ts'
import LicenseGenerate from '../../app/commands/license_generate.ts'
import LicenseReset from '../../app/commands/license_reset.ts'
import LicenseStats from '../../app/commands/license_stats.ts'

const apiKeyService = () => app.container.make(ApiKeyService)

/**
 * Rows get unique names: the run's database is shared by every suite and
 * never wiped (the audit log refuses it).
 */
let sequence = 0
const uniqueName = (prefix: string) => `${prefix}-${Date.now()}-${++sequence}`
const createProduct = () => Product.create({ name: 'Command test', slug: uniqueName('cmd') })

/**
 * Creates a command and runs it with its output kept in memory.
 */
async function run<Command extends typeof BaseCommand>(Command: Command, argv: string[]) {
  const command = await ace.create(Command, argv)
  command.ui.switchMode('raw')
  await command.exec()
  return command
}

const logsOf = (command: BaseCommand, stream: 'stdout' | 'stderr') =>
  command.logger
    .getLogs()
    .filter((log) => log.stream === stream)
    .map((log) => log.message)

/**
 * Runs `callback` as if stdin were (or were not) a terminal, whatever the
 * terminal the tests run in.
 */
async function withStdinTTY<T>(isTTY: boolean, callback: () => Promise<T>) {
  const original = Object.getOwnPropertyDescriptor(process.stdin, 'isTTY')
  Object.defineProperty(process.stdin, 'isTTY', { value: isTTY, configurable: true })
  try {
    return await callback()
  } finally {
    if (original) Object.defineProperty(process.stdin, 'isTTY', original)
    else Reflect.deleteProperty(process.stdin, 'isTTY')
  }
}

async function countRows(table: string, where: Record<string, unknown> = {}) {
  const row = await db.from(table).where(where).count('* as total').first()
  return Number(row.total)
}

async function generate(product: Product, ...argv: string[]) {
  const command = await run(LicenseGenerate, ['--product', product.slug, ...argv])
  command.assertSucceeded()
  return command.result as { batchId: string; total: number; counts: Record<string, number> }
}

test.group('license:generate', () => {
  test('generates 5,000 unique keys in one batch with one audit row', async ({ assert }) => {
    const product = await createProduct()
    const command = await ace.create(LicenseGenerate, [
      '--type',
      '1m',
      '--count',
      '5000',
      '--product',
      product.slug,
    ])
    command.ui.switchMode('raw')
    const started = performance.now()
    await command.exec()
    const elapsed = performance.now() - started
    console.log(`      license:generate --count 5000 took ${elapsed.toFixed(0)} ms`)

    command.assertSucceeded()
    const { batchId } = command.result
    const rows = await db.from('licenses').where('batch_id', batchId)
    assert.lengthOf(rows, 5000)
    assert.equal(new Set(rows.map((row) => row.key)).size, 5000)
    assert.isTrue(rows.every((row) => LICENSE_KEY_PATTERN.test(row.key)))
    for (const row of [rows[0], rows[4999]]) {
      assert.containsSubset(row, {
        product_id: product.id,
        type: '1m',
        status: 'active',
        expiry_basis: 'first_activation',
        expires_at: null,
        activated_at: null,
        max_devices: 1,
        max_sessions: 1,
      })
    }

    const audits = await db
      .from('audit_logs')
      .where({ action: 'license.batch_created', subject_id: batchId })
    assert.lengthOf(audits, 1)
    assert.equal(audits[0].actor_type, 'cli')
    assert.containsSubset(audits[0].after, { count: 5000, type: '1m', product_id: product.id })

    command.assertLogMatches(new RegExp(`Batch id: ${batchId}`))
    command.assertLogMatches(/Created 5,000 licenses/)
    command.assertLogMatches(/Keys not printed/)
    command.assertLogMatches(/5,000\/5,000 100%/)
  })

  test('--classic creates each classic type under one batch id', async ({ assert }) => {
    const product = await createProduct()
    const { batchId, total } = await generate(product, '--classic', '--count', '50')

    assert.equal(total, 250)
    const rows = await db
      .from('licenses')
      .where('batch_id', batchId)
      .select('type')
      .count('* as total')
      .groupBy('type')
    const counts = Object.fromEntries(rows.map((row) => [row.type, Number(row.total)]))
    assert.deepEqual(counts, Object.fromEntries(CLASSIC_BATCH_TYPES.map((type) => [type, 50])))
    assert.equal(
      await countRows('audit_logs', { action: 'license.batch_created', subject_id: batchId }),
      CLASSIC_BATCH_TYPES.length
    )
  })

  test('--classic defaults to 1,000 keys of each type', async ({ assert }) => {
    const product = await createProduct()
    const { batchId, counts } = await generate(product, '--classic')

    assert.deepEqual(counts, Object.fromEntries(CLASSIC_BATCH_TYPES.map((type) => [type, 1000])))
    assert.equal(await countRows('licenses', { batch_id: batchId }), 5000)
  })

  test('the limits, customer, batch id and expiry basis are applied', async ({
    assert,
    cleanup,
  }) => {
    const product = await createProduct()
    const customer = await Customer.create({ name: uniqueName('customer') })
    const batch = randomUUID()
    app.container.swap(Clock, () => new FixedClock(DateTime.fromISO('2026-01-31T10:00:00Z')))
    cleanup(() => app.container.restore(Clock))

    await generate(
      product,
      ...'--type 1m --count 3 --max-devices 4 --max-sessions 2 --expiry-basis creation'.split(' '),
      ...['--customer', String(customer.id), '--batch', batch]
    )

    const rows = await db.from('licenses').where('batch_id', batch)
    assert.lengthOf(rows, 3)
    for (const row of rows) {
      assert.containsSubset(row, {
        customer_id: customer.id,
        max_devices: 4,
        max_sessions: 2,
        expiry_basis: 'creation',
      })
      // A calendar month from 31 January ends on the last day of February.
      assert.equal(DateTime.fromJSDate(row.expires_at).toUTC().toISO(), '2026-02-28T10:00:00.000Z')
    }
  })

  test('a small batch prints its keys', async ({ assert }) => {
    const product = await createProduct()
    const command = await run(
      LicenseGenerate,
      `--type perpetual --count 2 --product ${product.slug}`.split(' ')
    )

    command.assertSucceeded()
    const rows = await db.from('licenses').where('batch_id', command.result.batchId)
    assert.lengthOf(rows, 2)
    for (const row of rows) {
      command.assertLog(row.key)
      assert.isNull(row.expires_at)
      assert.equal(row.expiry_basis, 'creation')
    }
  })

  test('--out writes the keys to a new private file', async ({ assert, cleanup }) => {
    const product = await createProduct()
    const path = join(tmpdir(), `${uniqueName('keys')}.txt`)
    cleanup(() => rm(path, { force: true }))

    const { batchId } = await generate(product, '--classic', '--count', '3', '--out', path)

    const text = await readFile(path, 'utf8')
    const lines = text.trimEnd().split('\n')
    assert.lengthOf(lines, 15)
    const rows = await db.from('licenses').where('batch_id', batchId).select('type', 'key')
    assert.sameMembers(
      lines,
      rows.map((row) => `${row.type}\t${row.key}`)
    )
    const { mode } = await stat(path)
    assert.equal(mode & 0o777, 0o600)
  })

  test('an existing --out file is refused before anything is generated', async ({
    assert,
    cleanup,
  }) => {
    const product = await createProduct()
    const path = join(tmpdir(), `${uniqueName('keys')}.txt`)
    await writeFile(path, 'previous keys\n')
    cleanup(() => rm(path, { force: true }))

    const command = await run(LicenseGenerate, [
      '--type',
      '1m',
      '--count',
      '5',
      '--product',
      product.slug,
      '--out',
      path,
    ])

    command.assertFailed()
    command.assertLogMatches(/already exists/, 'stderr')
    assert.equal(await readFile(path, 'utf8'), 'previous keys\n')
    assert.equal(await countRows('licenses', { product_id: product.id }), 0)
  })

  test('a failure part-way through --classic rolls the whole batch back', async ({
    assert,
    cleanup,
  }) => {
    /**
     * Make the third type fail the way a lost database connection would.
     */
    class FailingGenerator extends LicenseGenerator {
      generate(...request: Parameters<LicenseGenerator['generate']>) {
        if (request[0].type === '1m') return Promise.reject(new Error('connection lost'))
        return super.generate(...request)
      }
    }
    app.container.swap(LicenseGenerator, () => new FailingGenerator(new Clock(), new AuditTrail()))
    cleanup(() => app.container.restore(LicenseGenerator))
    const product = await createProduct()
    const path = join(tmpdir(), `${uniqueName('keys')}.txt`)
    cleanup(() => rm(path, { force: true }))

    const command = await run(LicenseGenerate, [
      '--classic',
      '--count',
      '4',
      '--product',
      product.slug,
      '--out',
      path,
    ])

    command.assertFailed()
    command.assertLogMatches(/connection lost/, 'stderr')
    command.assertLogMatches(/Nothing was created/, 'stderr')
    assert.equal(await countRows('licenses', { product_id: product.id }), 0)
    await assert.rejects(() => readFile(path, 'utf8'))
  })

  test('"{flags}" fails with a clear message and writes nothing')
    .with([
      { flags: '--type forever --count 5', message: /--type must be "perpetual" or a count/ },
      { flags: '--type 1m --count 0', message: /--count must be between 1 and 100000/ },
      { flags: '--type 1m --count 100001', message: /--count must be between 1 and 100000/ },
      { flags: '--type 1m --count many', message: /--count must be a number/ },
      { flags: '--type 1m --count 2.5', message: /--count must be a whole number/ },
      { flags: '--type 1m --max-devices 11', message: /--max-devices must be between 1 and 10/ },
      {
        flags: '--type 1m --max-devices 2 --max-sessions 3',
        message: /--max-sessions must not exceed --max-devices \(2\)/,
      },
      {
        flags: '--type 1m --max-sessions 2',
        message: /--max-sessions must not exceed --max-devices \(1\)/,
      },
      { flags: '--type 1m --batch batch-1', message: /--batch must be a UUID/ },
      { flags: '--type 1m --expiry-basis later', message: /--expiry-basis must be creation or/ },
      { flags: '--type 1m --customer 2147483000', message: /No customer has the id 2147483000/ },
      { flags: '--classic --type 1m', message: /--type cannot be combined with --classic/ },
      { flags: '--count 5', message: /Give a license type with --type/ },
    ])
    .run(async ({ assert }, { flags, message }) => {
      const product = await createProduct()
      const audits = await countRows('audit_logs')

      const command = await run(LicenseGenerate, [...flags.split(' '), '--product', product.slug])

      command.assertFailed()
      command.assertLogMatches(message, 'stderr')
      // Reported as a message, not thrown as an exception with a stack trace.
      assert.isUndefined(command.error)
      assert.equal(await countRows('licenses', { product_id: product.id }), 0)
      assert.equal(await countRows('audit_logs'), audits)
    })

  test('an unknown product fails and writes nothing', async ({ assert }) => {
    const licenses = await countRows('licenses')
    const audits = await countRows('audit_logs')

    const command = await run(
      LicenseGenerate,
      '--type 1m --count 5 --product no-such-product'.split(' ')
    )

    command.assertFailed()
    command.assertLogMatches(/No product has the slug "no-such-product"/, 'stderr')
    assert.equal(await countRows('licenses'), licenses)
    assert.equal(await countRows('audit_logs'), audits)
  })

  test('without --product it asks for one when there are several products', async ({ assert }) => {
    await createProduct()
    await createProduct()
    const licenses = await countRows('licenses')

    const command = await run(LicenseGenerate, ['--type', '1m', '--count', '5'])

    command.assertFailed()
    command.assertLogMatches(/choose one with --product/, 'stderr')
    assert.equal(await countRows('licenses'), licenses)
  })

  test('--policy gives the licenses a session policy of an enabled plugin', async ({ assert }) => {
    const product = await createProduct()
    const command = await run(
      LicenseGenerate,
      `--type 1m --count 3 --product ${product.slug} --policy concurrent`.split(' ')
    )
    command.assertSucceeded()
    const rows = await db.from('licenses').where('product_id', product.id).select('session_policy')
    assert.deepEqual(
      rows.map((row) => row.session_policy),
      ['concurrent', 'concurrent', 'concurrent']
    )

    const without = await createProduct()
    await run(LicenseGenerate, `--type 1m --product ${without.slug}`.split(' '))
    const [row] = await db.from('licenses').where('product_id', without.id).select('session_policy')
    assert.isNull(row.session_policy, 'without --policy: the default policy')
  })

  test('an unknown --policy is refused, naming the available ones, and writes nothing', async ({
    assert,
    cleanup,
  }) => {
    const product = await createProduct()
    const audits = await countRows('audit_logs')
    const path = join(tmpdir(), `${uniqueName('keys')}.txt`)
    cleanup(() => rm(path, { force: true }))

    const command = await run(
      LicenseGenerate,
      `--type 1m --product ${product.slug} --policy one-device --out ${path}`.split(' ')
    )

    command.assertFailed()
    assert.equal(command.exitCode, 1)
    assert.isUndefined(command.error)
    command.assertLogMatches(
      /No enabled plugin provides the session policy "one-device": choose one of concurrent, resumable, single$/,
      'stderr'
    )
    assert.equal(await countRows('licenses', { product_id: product.id }), 0)
    assert.equal(await countRows('audit_logs'), audits)
    await assert.rejects(() => stat(path))

    const malformed = await run(
      LicenseGenerate,
      `--type 1m --product ${product.slug} --policy One_Device`.split(' ')
    )
    malformed.assertFailed()
    malformed.assertLogMatches(/--policy must be a session policy name/, 'stderr')
  })
})

test.group('license:stats', () => {
  test('--json counts by type and derived status', async ({ assert, cleanup }) => {
    const product = await createProduct()
    await generate(product, '--type', '1d', '--count', '10', '--expiry-basis', 'creation')
    const { batchId } = await generate(product, '--type', '1m', '--count', '6')
    const [suspended, revoked, activated] = await db
      .from('licenses')
      .where('batch_id', batchId)
      .orderBy('id')
      .limit(3)
    await db.from('licenses').where('id', suspended.id).update({ status: 'suspended' })
    await db.from('licenses').where('id', revoked.id).update({ status: 'revoked' })
    const now = DateTime.utc()
    await db
      .from('licenses')
      .where('id', activated.id)
      .update({ activated_at: now.toJSDate(), expires_at: now.plus({ months: 1 }).toJSDate() })

    const today = await run(LicenseStats, ['--product', product.slug, '--json'])
    today.assertSucceeded()
    const current = JSON.parse(logsOf(today, 'stdout')[0])
    assert.equal(current.product, product.slug)
    assert.deepEqual(current.byType['1d'], {
      ...{ total: 10, active: 10, expired: 0, suspended: 0, revoked: 0 },
      ...{ used: 0, available: 10 },
    })
    assert.deepEqual(current.byType['1m'], {
      ...{ total: 6, active: 4, expired: 0, suspended: 1, revoked: 1 },
      ...{ used: 1, available: 3 },
    })

    // Two days on, every 1d license has expired without any row changing.
    app.container.swap(Clock, () => new FixedClock(now.plus({ days: 2 })))
    cleanup(() => app.container.restore(Clock))
    const later = await run(LicenseStats, ['--product', product.slug, '--json'])
    const stats = JSON.parse(logsOf(later, 'stdout')[0])
    assert.deepEqual(Object.keys(stats.byType), ['1d', '1m'])
    assert.deepEqual(stats.byType['1d'], {
      ...{ total: 10, active: 0, expired: 10, suspended: 0, revoked: 0 },
      ...{ used: 0, available: 0 },
    })
    assert.deepEqual(stats.totals, {
      ...{ total: 16, active: 4, expired: 10, suspended: 1, revoked: 1 },
      ...{ used: 1, available: 3 },
    })
  })

  test('prints a table by default', async ({ assert }) => {
    const product = await createProduct()
    await generate(product, '--type', '5d', '--count', '4')

    const command = await run(LicenseStats, ['--product', product.slug])

    command.assertSucceeded()
    command.assertTableRows([
      ['Type', 'Total', 'Active', 'Expired', 'Suspended', 'Revoked', 'Used', 'Available'],
      ['5d', '4', '4', '0', '0', '0', '0', '4'],
      ['All', '4', '4', '0', '0', '0', '0', '4'],
    ])
    assert.lengthOf(logsOf(command, 'stderr'), 0)
  })

  test('an unknown product fails', async () => {
    const command = await run(LicenseStats, ['--product', 'no-such-product', '--json'])
    command.assertFailed()
    command.assertLogMatches(/No product has the slug "no-such-product"/, 'stderr')
  })
})

test.group('license:reset', () => {
  test('--force deletes only the chosen batch, its devices, and records it', async ({ assert }) => {
    const product = await createProduct()
    const doomed = await generate(product, '--type', '1m', '--count', '5')
    const kept = await generate(product, '--type', '1m', '--count', '3')
    const license = await db.from('licenses').where('batch_id', doomed.batchId).first()
    await db.table('devices').insert({ license_id: license.id, fingerprint: uniqueName('fp') })

    const command = await run(
      LicenseReset,
      `--product ${product.slug} --batch ${doomed.batchId} --force`.split(' ')
    )

    command.assertSucceeded()
    command.assertLogMatches(/Deleted 5 licenses/)
    assert.equal(await countRows('licenses', { batch_id: doomed.batchId }), 0)
    assert.equal(await countRows('licenses', { batch_id: kept.batchId }), 3)
    assert.equal(await countRows('devices', { license_id: license.id }), 0)
    const audits = await db
      .from('audit_logs')
      .where({ action: 'license.reset', subject_id: doomed.batchId })
    assert.lengthOf(audits, 1)
    assert.equal(audits[0].subject_type, 'license')
    assert.equal(audits[0].actor_type, 'cli')
    assert.deepEqual(audits[0].after, {
      deleted: 5,
      product: product.slug,
      batch: doomed.batchId,
    })
  })

  test('--product alone deletes every license of that product only', async ({ assert }) => {
    const product = await createProduct()
    const other = await createProduct()
    await generate(product, '--type', '1d', '--count', '2')
    await generate(product, '--type', '6m', '--count', '2')
    await generate(other, '--type', '1d', '--count', '2')

    const command = await run(LicenseReset, ['--product', product.slug, '--force'])

    command.assertSucceeded()
    assert.equal(await countRows('licenses', { product_id: product.id }), 0)
    assert.equal(await countRows('licenses', { product_id: other.id }), 2)
  })

  test('without --force it refuses when nobody can confirm', async ({ assert }) => {
    const product = await createProduct()
    const { batchId } = await generate(product, '--type', '1m', '--count', '2')

    const command = await withStdinTTY(false, () =>
      run(LicenseReset, ['--product', product.slug, '--batch', batchId])
    )

    command.assertFailed()
    command.assertLogMatches(/Refusing to delete 2 licenses without confirmation/, 'stderr')
    assert.equal(await countRows('licenses', { batch_id: batchId }), 2)
    assert.equal(await countRows('audit_logs', { action: 'license.reset', subject_id: batchId }), 0)
  })

  test('it asks first and deletes only when confirmed', async ({ assert }) => {
    const product = await createProduct()
    const { batchId } = await generate(product, '--type', '1m', '--count', '2')
    const question = `Delete 2 licenses (product "${product.slug}", batch ${batchId}) and their devices? This cannot be undone`

    const declined = await ace.create(LicenseReset, ['--product', product.slug, '--batch', batchId])
    declined.ui.switchMode('raw')
    declined.prompt.trap(question).reject()
    await withStdinTTY(true, () => declined.exec())
    declined.assertSucceeded()
    assert.equal(await countRows('licenses', { batch_id: batchId }), 2)

    const confirmed = await ace.create(LicenseReset, [
      '--product',
      product.slug,
      '--batch',
      batchId,
    ])
    confirmed.ui.switchMode('raw')
    confirmed.prompt.trap(question).accept()
    await withStdinTTY(true, () => confirmed.exec())
    confirmed.assertSucceeded()
    assert.equal(await countRows('licenses', { batch_id: batchId }), 0)
    assert.equal(await countRows('audit_logs', { action: 'license.reset', subject_id: batchId }), 1)
  })

  test('nothing to delete is not an error and records nothing', async ({ assert }) => {
    const batch = randomUUID()
    const command = await run(LicenseReset, ['--batch', batch, '--force'])

    command.assertSucceeded()
    command.assertLogMatches(/No licenses to delete/)
    assert.equal(await countRows('audit_logs', { action: 'license.reset', subject_id: batch }), 0)
  })

  test('"{flags}" is refused')
    .with([
      { flags: '--batch batch-1 --force', message: /--batch must be a UUID/ },
      { flags: '--product Not_A_Slug --force', message: /--product must be a product slug/ },
      {
        flags: '--product no-such-product --force',
        message: /No product has the slug "no-such-product"/,
      },
    ])
    .run(async ({ assert }, { flags, message }) => {
      const licenses = await countRows('licenses')
      const command = await run(LicenseReset, flags.split(' '))

      command.assertFailed()
      command.assertLogMatches(message, 'stderr')
      assert.equal(await countRows('licenses'), licenses)
    })
})

test.group('apikey:list', () => {
  test('shows active keys, and revoked ones with --all', async ({ assert }) => {
    const apiKeys = await apiKeyService()
    const active = await apiKeys.create(uniqueName('active-key'), cliActor('tests'))
    const revoked = await apiKeys.create(uniqueName('revoked-key'), cliActor('tests'))
    await apiKeys.revoke(revoked.apiKey.id, cliActor('tests'))

    const listed = await run(ApiKeyList, ['--json'])
    listed.assertSucceeded()
    const rows: Array<Record<string, unknown>> = JSON.parse(logsOf(listed, 'stdout')[0])
    const ids = rows.map((row) => row.id)
    assert.include(ids, active.apiKey.id)
    assert.notInclude(ids, revoked.apiKey.id)
    assert.containsSubset(
      rows.find((row) => row.id === active.apiKey.id),
      {
        name: active.apiKey.name,
        hint: active.apiKey.keyHint,
        last_used_at: null,
        revoked_at: null,
      }
    )
    // The key itself and its digest are never shown.
    assert.notInclude(JSON.stringify(rows), active.plain)
    assert.notInclude(JSON.stringify(rows), active.apiKey.keyHash)

    const all = await run(ApiKeyList, ['--all', '--json'])
    const allRows: Array<Record<string, unknown>> = JSON.parse(logsOf(all, 'stdout')[0])
    const revokedRow = allRows.find((row) => row.id === revoked.apiKey.id)
    assert.exists(revokedRow)
    assert.isString(revokedRow!.revoked_at)
  })

  test('prints a table by default', async ({ assert }) => {
    const apiKeys = await apiKeyService()
    const created = await apiKeys.create(uniqueName('table-key'), cliActor('tests'))
    const revoked = await apiKeys.create(uniqueName('hidden-key'), cliActor('tests'))
    await apiKeys.revoke(revoked.apiKey.id, cliActor('tests'))

    const command = await run(ApiKeyList, [])

    command.assertSucceeded()
    command.assertLogMatches(/^Id\|Name\|Hint\|Created\|Last used\|Revoked$/)
    command.assertLogMatches(new RegExp(`^${created.apiKey.id}\\|${created.apiKey.name}\\|`))
    command.assertLogMatches(/never\|-$/)
    const listed = logsOf(command, 'stdout').some((line) => line.includes(revoked.apiKey.name))
    assert.isFalse(listed, 'a revoked key is listed without --all')
  })
})

test.group('apikey:revoke', () => {
  test('--force revokes the key and records it; a second revoke is harmless', async ({
    assert,
  }) => {
    const apiKeys = await apiKeyService()
    const { apiKey, plain } = await apiKeys.create(uniqueName('doomed'), cliActor('tests'))

    const command = await run(ApiKeyRevoke, [String(apiKey.id), '--force'])

    command.assertSucceeded()
    await apiKey.refresh()
    assert.isNotNull(apiKey.revokedAt)
    assert.isNull(await apiKeys.authenticate(plain))
    const revokedAt = apiKey.revokedAt!.toMillis()

    const again = await run(ApiKeyRevoke, [String(apiKey.id), '--force'])
    again.assertSucceeded()
    again.assertLogMatches(/already revoked/)
    await apiKey.refresh()
    assert.equal(apiKey.revokedAt!.toMillis(), revokedAt)
    assert.equal(
      await countRows('audit_logs', { action: 'api_key.revoked', subject_id: String(apiKey.id) }),
      1
    )
  })

  test('it asks first and revokes only when confirmed', async ({ assert }) => {
    const { apiKey } = await (await apiKeyService()).create(uniqueName('asked'), cliActor('tests'))
    const question = `Revoke API key #${apiKey.id} "${apiKey.name}" (${apiKey.keyHint})? Programs using it will be refused`

    const declined = await ace.create(ApiKeyRevoke, [String(apiKey.id)])
    declined.ui.switchMode('raw')
    declined.prompt.trap(question).reject()
    await withStdinTTY(true, () => declined.exec())
    declined.assertSucceeded()
    await apiKey.refresh()
    assert.isNull(apiKey.revokedAt)

    const confirmed = await ace.create(ApiKeyRevoke, [String(apiKey.id)])
    confirmed.ui.switchMode('raw')
    confirmed.prompt.trap(question).accept()
    await withStdinTTY(true, () => confirmed.exec())
    confirmed.assertSucceeded()
    await apiKey.refresh()
    assert.isNotNull(apiKey.revokedAt)
  })

  test('without --force it refuses when nobody can confirm', async ({ assert }) => {
    const { apiKey } = await (await apiKeyService()).create(uniqueName('kept'), cliActor('tests'))

    const command = await withStdinTTY(false, () => run(ApiKeyRevoke, [String(apiKey.id)]))

    command.assertFailed()
    command.assertLogMatches(/Refusing to revoke without confirmation/, 'stderr')
    await apiKey.refresh()
    assert.isNull(apiKey.revokedAt)
  })

  test('an unknown id fails', async ({ assert }) => {
    const last = await ApiKey.query().max('id as id').first()
    const unknownId = Number(last?.$extras.id ?? 0) + 1000

    const command = await run(ApiKeyRevoke, [String(unknownId), '--force'])

    command.assertFailed()
    command.assertLogMatches(new RegExp(`No API key has the id ${unknownId}`), 'stderr')
    assert.isUndefined(command.error)
  })

  test('"{$self}" is not an id')
    .with(['abc', '0', '1.5', '99999999999'])
    .run(async ({ assert }, id) => {
      const command = await run(ApiKeyRevoke, [id, '--force'])

      command.assertFailed()
      command.assertLogMatches(/is not an API key id/, 'stderr')
      assert.isUndefined(command.error)
    })
})
