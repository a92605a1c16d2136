import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { baseUrl, unique } from '#tests/support/fixtures'
import {
  auditRowsAfter,
  createAdmin,
  lastAuditId,
  loggedInPanel,
  PanelClient,
} from '#tests/support/panel'
import { runCommand, logsOf } from '#tests/support/commands'
import ResourceAdd from '../../commands/resource_add.js'
import ResourceStats from '../../commands/resource_stats.js'
import ResourceList from '../../commands/resource_list.js'
import { uniqueDomain, uniqueNetwork, uniquePhone } from '../support.js'

async function paste(client: PanelClient, fields: Record<string, string>) {
  await client.get('/admin/resources/add')
  return client.post('/admin/resources/add', fields)
}

async function upload(client: PanelClient, csv: string) {
  await client.get('/admin/resources/add')
  const form = new FormData()
  form.append('_csrf', client.csrfToken!)
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'resources.csv')
  const response = await fetch(`${baseUrl()}/admin/resources/add`, {
    method: 'POST',
    body: form,
    headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
  })
  return { status: response.status, body: await response.text() }
}

const inPool = (pool: string) =>
  db.from('resource_pools_resources').where('pool', pool).orderBy('id')

test.group('resource-pools: adding resources in bulk', () => {
  test('pasted values are normalized per type, all added, history and audit written', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const pool = unique('pool')
    const label = unique('bücher')
    const since = await lastAuditId()
    const added = await paste(client, {
      type: 'domain',
      values: `${label}.Example.\n\n  SHOP-${label}.example  \n`,
      pool,
      notes: 'from provider A',
    })
    assert.equal(added.status, 200)
    assert.include(added.body, '2 resources added.')
    const rows = await inPool(pool)
    assert.deepEqual(
      rows.map((row) => row.value),
      [
        new URL(`http://${label}.example`).hostname,
        new URL(`http://shop-${label}.example`).hostname,
      ]
    )
    assert.match(rows[0].value, /^xn--/)
    assert.isTrue(
      rows.every((row) => row.status === 'available' && row.notes === 'from provider A')
    )
    const history = await db.from('resource_pools_events').whereIn(
      'resource_id',
      rows.map((row) => row.id)
    )
    assert.deepEqual(
      history.map((row) => row.action),
      ['added', 'added']
    )
    const audit = await auditRowsAfter(since)
    assert.equal(audit.at(-1)!.action, 'resource_pools.added')
    assert.deepInclude(audit.at(-1)!.after as object, { added: 2, by_type: { domain: 2 } })

    const network = uniqueNetwork()
    const phonePool = unique('pool')
    const ips = await paste(client, { type: 'ipv4', values: network, pool: phonePool })
    assert.include(ips.body, '14 resources added.')
    const phone = uniquePhone()
    const phones = await paste(client, { type: 'phone', values: phone, pool: phonePool })
    assert.include(phones.body, '1 resource added.')
    const values = (await inPool(phonePool)).map((row) => row.value)
    assert.lengthOf(values, 15)
    assert.include(values, phone.replaceAll(' ', ''))
  })

  test('one bad line adds nothing: every problem by line, duplicates and known values named', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const pool = unique('pool')
    const known = uniqueDomain()
    await paste(client, { type: 'domain', values: known, pool })
    const fresh = uniqueDomain()
    const refused = await paste(client, {
      type: 'domain',
      values: [fresh, 'not a domain', fresh.toUpperCase(), known].join('\n'),
      pool,
    })
    assert.equal(refused.status, 200)
    assert.include(refused.body, 'Nothing was added: 3 problems.')
    assert.include(refused.body, 'Line 2, not a domain: not a domain name')
    assert.include(refused.body, `Line 3, ${fresh}: repeats line 1`)
    assert.include(refused.body, `Line 4, ${known}: is in the pool already`)
    assert.lengthOf(await inPool(pool), 1)

    const tooLarge = await paste(client, { type: 'ipv4', values: '10.0.0.0/16', pool })
    assert.include(tooLarge.body, 'the range has 65534 addresses, more than 1024')
    const hostBits = await paste(client, { type: 'ipv4', values: '10.1.2.3/24', pool })
    assert.include(hostBits.body, 'has host bits set; the network is 10.1.2.0/24')
    const phone = await paste(client, { type: 'phone', values: '030 1234567', pool })
    assert.include(phone.body, 'not a valid phone number')
    assert.lengthOf(await inPool(pool), 1)

    // A value the form's validator refuses (an unknown type) is a 422-style refusal, not a 500.
    const unknownType = await paste(client, { type: 'fax', values: '123', pool })
    assert.notEqual(unknownType.status, 500)
    assert.lengthOf(await inPool(pool), 1)
  })

  test('a CSV upload adds every type at once, or nothing with the bad rows named', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const pool = unique('pool')
    const domain = uniqueDomain()
    const phone = uniquePhone()
    const refused = await upload(
      client,
      `type,value,pool,notes\ndomain,${domain},${pool},a\nipv4,300.1.1.1,${pool},\nphone,${phone},${pool},\n`
    )
    assert.include(refused.body, 'Nothing was added: 1 problem.')
    assert.include(refused.body, 'Line 3, 300.1.1.1: not an IPv4 address or CIDR range')
    assert.lengthOf(await inPool(pool), 0)
    const ip = uniqueNetwork()
      .replace(/\/28$/, '')
      .replace(/\.(\d+)$/, (_, last) => `.${Number(last) + 1}`)
    const added = await upload(
      client,
      `type,value,pool,notes\ndomain,${domain},${pool},a\nipv4,${ip},${pool},\nphone,${phone},${pool},\n`
    )
    assert.include(added.body, '3 resources added.')
    assert.deepEqual(
      (await inPool(pool)).map((row) => row.type),
      ['domain', 'ipv4', 'phone']
    )
    const wrongColumns = await upload(client, `kind,value\ndomain,${uniqueDomain()}\n`)
    assert.include(wrongColumns.body, 'Nothing was added')
  })

  test('list: search, filters, CSV export; bulk retire; the resource page', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const pool = unique('pool')
    await paste(client, { type: 'domain', values: `${uniqueDomain()}\n${uniqueDomain()}`, pool })
    const rows = await inPool(pool)
    const list = await client.get(`/admin/resources/list?pool=${pool}&type=domain&status=available`)
    assert.equal(list.status, 200)
    for (const row of rows) assert.include(list.body, row.value)
    const searched = await client.get(`/admin/resources/list?q=${rows[0].value}`)
    assert.include(searched.body, rows[0].value)
    assert.notInclude(searched.body, rows[1].value)
    const csv = await client.get(`/admin/resources/export.csv?pool=${pool}`)
    assert.equal(csv.status, 200)
    assert.match(csv.body, /^type,value,pool,status,license_key/)
    assert.include(csv.body, `domain,${rows[1].value},${pool},available`)

    const since = await lastAuditId()
    const retired = await client.post('/admin/resources/retire', {
      'ids[]': [rows[0].id],
      'reason': 'provider gone',
    })
    assert.equal(retired.status, 302)
    assert.equal((await inPool(pool))[0].status, 'retired')
    assert.equal((await auditRowsAfter(since)).at(-1)!.action, 'resource_pools.retired')
    const page = await client.get(`/admin/resources/${rows[0].id}`)
    assert.equal(page.status, 200, page.body.slice(0, 3000))
    assert.include(page.body, 'Retired')
    assert.include(page.body, 'provider gone')
    assert.include(page.body, 'data-action="added"')
    assert.include(page.body, 'data-action="retired"')
    const refused = await client.post('/admin/resources/retire', { 'ids[]': ['x'] })
    assert.equal(refused.status, 302)
  })

  test('the overview shows usage per type and pool, and warns when a type runs low', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const pool = unique('pool')
    await paste(client, { type: 'domain', values: uniqueDomain(), pool })
    const page = await client.get('/admin/resources')
    assert.equal(page.status, 200)
    assert.include(page.body, 'id="usage-chart"')
    assert.include(page.body, `href="/admin/resources/list?type=domain&amp;pool=${pool}"`)
    // The run's phone pool stays below the watermark of 10 in these tests.
    const free = await db
      .from('resource_pools_resources')
      .where({ type: 'phone', status: 'available' })
      .whereNull('flagged_at')
      .count('* as total')
      .first()
    if (Number(free!.total) < 10) assert.include(page.body, 'data-low="phone"')
    const dashboard = await client.get('/admin')
    const card = dashboard.body.slice(dashboard.body.indexOf('data-card="resource-pools"'))
    assert.include(card, 'href="/admin/resources"')
    assert.include(card, 'Domains free')
    assert.equal((await client.get('/admin/resources/assets/usage.js')).status, 200)
  })

  test('the pages speak German to a German admin', async ({ assert }) => {
    const admin = await createAdmin({ role: 'admin', locale: 'de' })
    const client = new PanelClient()
    await client.login(admin.email)
    const page = await client.get('/admin/resources/add')
    assert.equal(page.status, 200)
    assert.include(page.body, 'Ressourcen hinzufügen')
    const refused = await client.post('/admin/resources/add', { type: 'ipv4', values: '1.2.3' })
    assert.include(refused.body, 'Zeile 1, 1.2.3: keine IPv4-Adresse und kein CIDR-Bereich')
    const overview = await client.get('/admin/resources')
    assert.include(overview.body, 'Auslastung je Typ')
  })

  test('ace: resource:add (values and --file), resource:list, resource:stats', async ({
    assert,
    cleanup,
  }) => {
    const pool = unique('pool')
    const domain = uniqueDomain()
    const add = await runCommand(ResourceAdd, ['domain', domain, `--pool=${pool}`])
    assert.equal(add.exitCode, 0)
    const bad = await runCommand(ResourceAdd, ['domain', 'bad value', domain, `--pool=${pool}`])
    assert.equal(bad.exitCode, 1)
    assert.include(logsOf(bad), 'line 1: bad value: not a domain name')
    assert.include(logsOf(bad), `line 2: ${domain}: is in the pool already`)
    const unknown = await runCommand(ResourceAdd, ['fax', '1'])
    assert.equal(unknown.exitCode, 1)
    assert.include(logsOf(unknown), 'Unknown type "fax"')

    const folder = await mkdtemp(join(tmpdir(), 'resources-'))
    cleanup(() => rm(folder, { recursive: true, force: true }))
    const file = join(folder, 'domains.txt')
    const fromFile = [uniqueDomain(), uniqueDomain()]
    await writeFile(file, `${fromFile.join('\n')}\n\n`)
    const added = await runCommand(ResourceAdd, ['domain', '--file', file, `--pool=${pool}-file`])
    assert.equal(added.exitCode, 0)
    assert.include(logsOf(added), 'Added 2 resource(s) of type domain')
    const missingFile = await runCommand(ResourceAdd, ['domain', '--file', join(folder, 'none')])
    assert.equal(missingFile.exitCode, 1)

    const list = await runCommand(ResourceList, [`--pool=${pool}`, '--json'])
    assert.deepEqual(JSON.parse(logsOf(list)), [
      { type: 'domain', value: domain, pool, status: 'available', license: null, flagged: false },
    ])
    const badList = await runCommand(ResourceList, ['--status=gone'])
    assert.equal(badList.exitCode, 1)
    const stats = await runCommand(ResourceStats, ['--json'])
    const figures = JSON.parse(logsOf(stats))
    assert.deepInclude(figures.pools, {
      type: 'domain',
      pool,
      available: 1,
      allocated: 0,
      quarantined: 0,
      retired: 0,
      flagged: 0,
    })
    assert.deepEqual(figures.totals.map((row: { type: string }) => row.type).slice(0, 3), [
      'domain',
      'ipv4',
      'phone',
    ])
  })
})
