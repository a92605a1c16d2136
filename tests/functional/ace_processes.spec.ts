import { randomUUID } from 'node:crypto'
import { copyFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import hash from '@adonisjs/core/services/hash'
import db from '@adonisjs/lucid/services/db'
import { runAceProcess, type AceRun } from '#tests/support/ace_process'
import { startServerProcess } from '#tests/support/server_process'
import { dropDatabase, ensureDatabase } from '../../bin/preflight.ts'
import { baseUrl, fingerprint, unique } from '#tests/support/fixtures'

/**
 * Every ace command of the product, run the way a self-hoster runs it:
 * `node ace.ts …` in a process of its own, in production mode. A command run
 * inside the test runner's booted app cannot show a fault of booting (the
 * admin:create crash of issue 14 was one: the model read the hasher before
 * the app had booted).
 */
const PRODUCT_COMMANDS = [
  'admin:create',
  'apikey:create',
  'apikey:list',
  'apikey:revoke',
  'customer:export',
  'customer:import',
  'entitlement:create',
  'entitlement:list',
  'jobs:list',
  'jobs:run',
  'jobs:work',
  'keys:export',
  'keys:list',
  'keys:rotate',
  'license:export',
  'license:generate',
  'license:import',
  'license:reset',
  'license:stats',
  'license:status',
  'meter:create',
  'meter:list',
  'plugin:disable',
  'plugin:enable',
  'plugin:list',
  'product:create',
  'resource:add',
  'resource:allocate',
  'resource:list',
  'resource:release',
  'resource:stats',
  'session:end',
  'session:list',
  'template:create',
  'template:list',
  'version:publish',
]

function assertSucceeded(assert: any, run: AceRun, what: string) {
  assert.equal(run.exitCode, 0, `${what} failed:\n${run.output}`)
  assert.notMatch(run.output, /TypeError|ReferenceError|\bat .+\.(ts|js):\d+/, run.output)
}

/** Runs `items` with at most `limit` at a time (the machine has two cores). */
async function inBatches<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  const queue = [...items]
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item)
    })
  )
}

test.group('ace commands in processes of their own', () => {
  test('list names every product command, and each one answers --help', async ({ assert }) => {
    const list = await runAceProcess(['list'])
    assertSucceeded(assert, list, 'list')
    for (const name of PRODUCT_COMMANDS) assert.include(list.stdout, name)

    await inBatches(PRODUCT_COMMANDS, 3, async (name) => {
      const help = await runAceProcess([name, '--help'])
      assertSucceeded(assert, help, `${name} --help`)
      assert.include(help.stdout, `node ace.ts ${name}`)
      assert.notInclude(help.output, 'ERROR')
    })
  }).timeout(120_000)

  test('admin:create makes an owner who can log in, in production and development', async ({
    assert,
  }) => {
    for (const mode of ['production', 'development']) {
      const email = `${unique('first-owner')}@example.com`
      const created = await runAceProcess(
        [
          'admin:create',
          '--email',
          email,
          '--role',
          'owner',
          '--password',
          'Sup3r-Secret-pass!',
          '--no-interactive',
        ],
        { env: { NODE_ENV: mode } }
      )
      assertSucceeded(assert, created, `admin:create (${mode})`)
      assert.match(created.stdout, new RegExp(`Created owner ${email}`))
      const admin = await db.from('admin_users').where('email', email).firstOrFail()
      assert.equal(admin.role, 'owner')
      assert.isTrue(await hash.verify(admin.password, 'Sup3r-Secret-pass!'))
      const audited = await db
        .from('audit_logs')
        .where({ action: 'admin.created', subject_id: admin.id })
        .first()
      assert.exists(audited)
    }

    // Without --password, the generated one is printed once and works.
    const email = `${unique('scripted')}@example.com`
    const generated = await runAceProcess(['admin:create', '--email', email, '--no-interactive'])
    assertSucceeded(assert, generated, 'admin:create without --password')
    const password = /Password \(shown once\): (\S+)/.exec(generated.stdout)?.[1]
    assert.exists(password, generated.output)
    const admin = await db.from('admin_users').where('email', email).firstOrFail()
    assert.isTrue(await hash.verify(admin.password, password!))

    // Bad input: an error line per field, exit code 1, nothing written.
    const refused = await runAceProcess([
      'admin:create',
      '--email',
      'not-an-email',
      '--password',
      'short',
      '--no-interactive',
    ])
    assert.equal(refused.exitCode, 1, refused.output)
    assert.match(refused.output, /--email: /)
    assert.match(refused.output, /--password: /)
    assert.notExists(await db.from('admin_users').where('email', 'not-an-email').first())
  }).timeout(90_000)

  test('products, API keys and licenses: each command once, as a script would', async ({
    assert,
  }) => {
    const slug = unique('smoke')
    const product = await runAceProcess(['product:create', 'Smoke test', '--slug', slug])
    assertSucceeded(assert, product, 'product:create')
    const productRow = await db.from('products').where('slug', slug).firstOrFail()

    const published = await runAceProcess(['version:publish', slug, '2.1.0', '--minimum', '2.0'])
    assertSucceeded(assert, published, 'version:publish')
    const config = await db
      .from('version_gate_configs')
      .where('product_id', productRow.id)
      .firstOrFail()
    assert.equal(config.current_version, '2.1.0')
    assert.equal(config.minimum_version, '2.0.0')

    const keyName = unique('smoke-key')
    const apiKey = await runAceProcess(['apikey:create', keyName])
    assertSucceeded(assert, apiKey, 'apikey:create')
    const plainKey = /^(AF-\S+)$/m.exec(apiKey.stdout)?.[1]
    assert.exists(plainKey, apiKey.output)

    const keys = await runAceProcess(['apikey:list', '--json'])
    assertSucceeded(assert, keys, 'apikey:list')
    const listed = (JSON.parse(keys.stdout) as { id: number; name: string }[]).find(
      (key) => key.name === keyName
    )
    assert.exists(listed)

    const generated = await runAceProcess([
      'license:generate',
      '--product',
      slug,
      '--type',
      '1m',
      '--count',
      '3',
    ])
    assertSucceeded(assert, generated, 'license:generate')
    const licenses = await db.from('licenses').where('product_id', productRow.id)
    assert.lengthOf(licenses, 3)

    const stats = await runAceProcess(['license:stats', '--product', slug, '--json'])
    assertSucceeded(assert, stats, 'license:stats')
    assert.equal(JSON.parse(stats.stdout).totals.active, 3)

    // A live session, started over HTTP, for session:list and session:end.
    const started = await fetch(`${baseUrl()}/api/license/session/start`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': plainKey! },
      body: JSON.stringify({
        license_key: licenses[0].key,
        hardware_fingerprint: fingerprint(),
        version: '2.1.0',
      }),
    })
    assert.equal(started.status, 201, await started.clone().text())
    const live = await runAceProcess(['session:list', '--license', licenses[0].key, '--json'])
    assertSucceeded(assert, live, 'session:list')
    const [session] = JSON.parse(live.stdout) as { id: number }[]
    assert.exists(session)
    const ended = await runAceProcess(['session:end', String(session.id)])
    assertSucceeded(assert, ended, 'session:end')
    assert.equal(
      (await db.from('session_history').where('id', session.id).firstOrFail()).end_reason,
      'forced'
    )

    const suspended = await runAceProcess(['license:status', licenses[1].key, 'suspended'])
    assertSucceeded(assert, suspended, 'license:status')
    assert.equal(
      (await db.from('licenses').where('id', licenses[1].id).firstOrFail()).status,
      'suspended'
    )

    const revoked = await runAceProcess(['apikey:revoke', String(listed!.id), '--force'])
    assertSucceeded(assert, revoked, 'apikey:revoke')
    assert.isNotNull((await db.from('api_keys').where('id', listed!.id).firstOrFail()).revoked_at)

    const reset = await runAceProcess(['license:reset', '--product', slug, '--force'])
    assertSucceeded(assert, reset, 'license:reset')
    assert.lengthOf(await db.from('licenses').where('product_id', productRow.id), 0)
  }).timeout(120_000)

  test('a product catalogue and a batch from its template, as a script would', async ({
    assert,
  }) => {
    const slug = unique('catalogue')
    assertSucceeded(
      assert,
      await runAceProcess(['product:create', 'Catalogue smoke', '--slug', slug]),
      'product:create'
    )
    // The catalogue first, then the templates that use it; two processes at a time.
    const catalogue = [
      ['entitlement:create', 'export_pdf', 'PDF export', '--product', slug],
      ['meter:create', 'exports', 'Exports', '--product', slug, '--period', 'day', '--limit', '20'],
    ]
    const templateSteps = [
      [
        'template:create',
        'Pro',
        '--product',
        slug,
        '--type',
        '12m',
        '--max-devices',
        '2',
        '--entitlement',
        'export_pdf',
        '--meter',
        'exports=50',
      ],
      ['template:create', 'Team', '--product', slug, '--type', '1m'],
    ]
    for (const steps of [catalogue, templateSteps]) {
      await inBatches(steps, 2, async (argv) => {
        assertSucceeded(assert, await runAceProcess(argv), argv[0])
      })
    }
    const [entitlements, meters, templates] = await Promise.all(
      ['entitlement:list', 'meter:list', 'template:list'].map((name) =>
        runAceProcess([name, '--product', slug, '--json'])
      )
    )
    assert.deepEqual(
      JSON.parse(entitlements.stdout).map((row: { code: string }) => row.code),
      ['export_pdf']
    )
    assert.equal(JSON.parse(meters.stdout)[0].default_limit, 20)
    const pro = JSON.parse(templates.stdout).find((row: { name: string }) => row.name === 'Pro')
    assert.deepInclude(pro, { entitlements: ['export_pdf'], meters: { exports: 50 } })

    const generated = await runAceProcess([
      'license:generate',
      '--product',
      slug,
      '--template',
      'Pro',
      '--count',
      '2',
    ])
    assertSucceeded(assert, generated, 'license:generate --template')
    const product = await db.from('products').where('slug', slug).firstOrFail()
    const licenses = await db.from('licenses').where('product_id', product.id)
    assert.lengthOf(licenses, 2)
    assert.isTrue(licenses.every((row) => row.type === '12m' && row.max_devices === 2))
  }).timeout(120_000)

  test('jobs, lease keys and plugins: each command once', async ({ assert, cleanup }) => {
    const jobs = await runAceProcess(['jobs:list', '--json'])
    assertSucceeded(assert, jobs, 'jobs:list')
    assert.includeMembers(
      (JSON.parse(jobs.stdout) as { name: string }[]).map((job) => job.name),
      ['sessions:sweep', 'heartbeats:partitions', 'usage:hourly']
    )
    const swept = await runAceProcess(['jobs:run', 'sessions:sweep'])
    assertSucceeded(assert, swept, 'jobs:run')
    // jobs:work runs as a process of its own in jobs.spec.ts (it sweeps, then stops on SIGTERM).

    // A keyring of its own: rotating the run's keyring would change other tests' leases.
    const keyring = join(tmpdir(), `keyward-smoke-keys-${randomUUID()}.json`)
    cleanup(() => rm(keyring, { force: true }))
    const env = { LEASE_KEYRING_PATH: keyring }
    const listedKeys = await runAceProcess(['keys:list', '--json'], { env })
    assertSucceeded(assert, listedKeys, 'keys:list')
    assert.lengthOf(JSON.parse(listedKeys.stdout).keys, 1)
    const rotated = await runAceProcess(['keys:rotate'], { env })
    assertSucceeded(assert, rotated, 'keys:rotate')
    const exported = await runAceProcess(['keys:export'], { env })
    assertSucceeded(assert, exported, 'keys:export')
    const value = /^LEASE_KEYRING=(\S+)$/m.exec(exported.stdout)?.[1]
    assert.exists(value, exported.output)
    const afterRotation = await runAceProcess(['keys:list', '--json'], {
      env: { LEASE_KEYRING: value! },
    })
    assertSucceeded(assert, afterRotation, 'keys:list from LEASE_KEYRING')
    assert.lengthOf(JSON.parse(afterRotation.stdout).keys, 2)

    const plugins = await runAceProcess(['plugin:list', '--json'])
    assertSucceeded(assert, plugins, 'plugin:list')
    assert.isTrue(
      JSON.parse(plugins.stdout).plugins.some(
        (plugin: { name: string; enabled: boolean }) => plugin.name === 'lead-crm' && plugin.enabled
      )
    )
    const config = join(tmpdir(), `keyward-smoke-plugins-${randomUUID()}.ts`)
    cleanup(() => rm(config, { force: true }))
    await copyFile(app.makePath('config/plugins.ts'), config)
    const disabled = await runAceProcess(['plugin:disable', 'lead-crm', '--config', config])
    assertSucceeded(assert, disabled, 'plugin:disable')
    const enabled = await runAceProcess(['plugin:enable', 'lead-crm', '--config', config])
    assertSucceeded(assert, enabled, 'plugin:enable')
  }).timeout(120_000)
})

test.group('Quick start data (db:seed) in a database of its own', (group) => {
  const database = `keyward_seed_${randomUUID().slice(0, 8)}`
  const url = new URL(process.env.DATABASE_URL!)
  url.pathname = `/${database}`
  const env = { DATABASE_URL: url.href, NODE_ENV: 'development' }
  group.setup(async () => {
    await ensureDatabase(url.href)
    const migrated = await runAceProcess(['migration:run', '--force'], { env })
    if (migrated.exitCode !== 0) throw new Error(migrated.output)
    return () => dropDatabase(url.href)
  })

  test('every run prints a working demo API key; a second run replaces the first', async ({
    assert,
  }) => {
    const keyOf = (run: AceRun) =>
      /Demo API key \(shown once, keep it\): (AF-\S+)/.exec(run.stdout)?.[1]
    const first = await runAceProcess(['db:seed'], { env })
    assertSucceeded(assert, first, 'db:seed')
    const second = await runAceProcess(['db:seed'], { env })
    assertSucceeded(assert, second, 'db:seed again')
    const [firstKey, secondKey] = [keyOf(first), keyOf(second)]
    assert.exists(firstKey, first.output)
    assert.exists(secondKey, second.output)
    assert.notEqual(firstKey, secondKey)
    assert.include(second.stdout, 'it replaces the one printed before, now revoked')
    assert.match(first.stdout, /sign in as owner@example\.com with password \S+/)

    const server = await startServerProcess(env)
    try {
      const license = /^ {4}(\S{4}-\S{4}-\S{4}-\S{4}) {2}perpetual/m.exec(second.stdout)![1]
      const activate = (key: string) =>
        fetch(`${server.url}/api/license/activate`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': key },
          body: JSON.stringify({ license_key: license, hardware_fingerprint: 'my-first-device' }),
        })
      assert.equal((await activate(secondKey!)).status, 201)
      assert.equal((await activate(firstKey!)).status, 401)
    } finally {
      await server.stop()
    }
  }).timeout(90_000)
})
