import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import Customer from '#models/customer'
import { unique } from '#tests/support/fixtures'
import { auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import { check, checkUpload, confirm, exportCsv, tokenOf } from '#tests/support/imports'
import { runAceProcess } from '#tests/support/ace_process'

const HEADER = 'customer_id,name,email,company,notes'

const customerCount = async () =>
  Number((await db.from('customers').count('* as n').firstOrFail()).n)

test.group('Import and export: customers', () => {
  test('a file is checked first, then imported on confirmation, audited once', async ({
    assert,
  }) => {
    const { client, admin } = await loggedInPanel('admin')
    const ada = `${unique('ada')}@Example.com`
    const known = await Customer.create({ name: 'Known', email: `${unique('known')}@example.com` })
    const csv = [
      HEADER,
      `,Ada Lovelace,${ada},Analytical Ltd,"first line\nsecond line"`,
      `,'=HYPERLINK(x),,,`,
      `,Known Again,${known.email},,`,
    ].join('\n')
    const before = await customerCount()
    const since = await lastAuditId()

    const checked = await check(client, 'customers', csv)
    assert.equal(checked.status, 200)
    assert.include(checked.body, 'importing it creates 2, updates 1 and leaves 0 unchanged')
    assert.equal(await customerCount(), before, 'the check writes nothing')
    assert.lengthOf(await auditRowsAfter(since), 0)

    const imported = await confirm(client, 'customers', tokenOf(checked.body)!)
    assert.equal(imported.location, '/admin/imports')
    assert.include(
      (await client.get('/admin/imports')).body,
      'Imported: 2 created, 1 updated, 0 unchanged.'
    )
    assert.equal(await customerCount(), before + 2)
    const created = await Customer.findByOrFail('email', ada.toLowerCase())
    assert.include(created.$attributes, {
      name: 'Ada Lovelace',
      company: 'Analytical Ltd',
      notes: 'first line\nsecond line',
    })
    assert.isNotNull(
      await Customer.findBy('name', '=HYPERLINK(x)'),
      "csvSafe's apostrophe comes off"
    )
    await known.refresh()
    assert.equal(
      known.name,
      'Known Again',
      'a row without id but with a known email is that customer'
    )

    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((row) => [row.action, row.actorId]),
      [['customer.imported', String(admin.id)]]
    )
    assert.deepInclude(rows[0].after!, {
      created: 2,
      updated: 1,
      unchanged: 0,
      updated_ids: [known.id],
    })

    const again = await confirm(client, 'customers', tokenOf(checked.body)!)
    assert.equal(again.location, '/admin/imports', 'a token imports once')
    assert.include((await client.get('/admin/imports')).body, 'has expired or was imported already')
    assert.equal(await customerCount(), before + 2)
  })

  test('every problem of every row is reported by line, and nothing is written', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const taken = await Customer.create({ name: 'Taken', email: `${unique('taken')}@example.com` })
    const other = await Customer.create({ name: 'Other', email: `${unique('other')}@example.com` })
    const fresh = `${unique('fresh')}@example.com`
    const csv = [
      HEADER,
      `,Good Row,${unique('good')}@example.com,,`,
      `,,not-an-email,,`,
      `999999999,Ghost,,,`,
      `${other.id},Other,${taken.email},,`,
      `,Twice,${fresh},,`,
      `,Twice Again,${fresh},,`,
    ].join('\n')
    const before = await customerCount()
    const since = await lastAuditId()
    const checked = await check(client, 'customers', csv)
    assert.include(checked.body, 'data-testid="import-problems"')
    assert.include(checked.body, '5 problems: nothing was imported.')
    for (const expected of [
      'Line 3, name',
      'Line 3, email',
      'Line 4, customer_id: No customer has the id 999999999.',
      `Line 5, email: Customer ${taken.id} has the email ${taken.email} already.`,
      `Line 7, email: The email ${fresh} is on line 6 already.`,
    ]) {
      assert.include(checked.body, expected)
    }
    assert.notInclude(checked.body, 'Line 2,')
    assert.isNull(tokenOf(checked.body), 'no import is offered')
    assert.equal(await customerCount(), before)
    assert.lengthOf(await auditRowsAfter(since), 0)

    const columns = await check(client, 'customers', 'name,mail\nAda,a@example.com')
    assert.include(columns.body, 'Line 1, mail: Unknown or missing columns')
  })

  test('an export imports back without a change, and writes no audit row', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    await Customer.createMany([
      {
        name: `${unique('Round')}, "quoted"`,
        email: `${unique('r')}@example.com`,
        company: '+49 Corp',
      },
      { name: unique('No Email'), notes: 'multi\nline\nnotes' },
      { name: unique('Mixed Case'), email: `${unique('MiXeD')}@Example.COM` },
    ])
    const snapshot = async () =>
      db
        .from('customers')
        .orderBy('id')
        .select('id', 'name', 'email', 'company', 'notes', 'updated_at')
    const before = await snapshot()

    const exported = await exportCsv(client, 'customers')
    assert.equal(exported.status, 200)
    assert.equal(exported.type, 'text/csv; charset=utf-8')
    assert.isTrue(exported.csv.startsWith(`${HEADER}\n`))
    assert.include(exported.csv, "'+49 Corp")

    const since = await lastAuditId()
    const checked = await check(client, 'customers', exported.csv)
    assert.include(checked.body, `importing it changes nothing (${before.length} unchanged)`)
    assert.isNull(tokenOf(checked.body), 'nothing to confirm')
    assert.deepEqual(await snapshot(), before)
    assert.lengthOf(await auditRowsAfter(since), 0)
  })

  test('customer:export writes the same CSV to stdout, for a pipe', async ({ assert }) => {
    const name = unique('Piped')
    await Customer.create({ name, email: `${name}@example.com`, company: '=cmd' })
    const run = await runAceProcess(['customer:export'])
    assert.equal(run.exitCode, 0, run.output)
    assert.isTrue(run.stdout.startsWith(`${HEADER}\n`))
    assert.include(run.stdout, `,${name},${name}@example.com,'=cmd,`)
  }).timeout(60_000)

  test('the check takes an uploaded file', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const name = unique('Uploaded')
    const { status, body } = await checkUpload(client, 'customers', `${HEADER}\n,${name},,,\n`)
    assert.equal(status, 200)
    assert.include(body, 'importing it creates 1, updates 0')
    const imported = await confirm(client, 'customers', tokenOf(body)!)
    assert.equal(imported.location, '/admin/imports')
    assert.isNotNull(await Customer.findBy('name', name))
  })
})
