import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import AuditTrail, { type AuditEntry } from '#services/audit_trail'
import type { Actor } from '#support/actor'
import { createApiKey, unique } from '#tests/support/fixtures'
import { PanelClient, auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'

/** Audit rows written the way the app writes them: in a transaction. */
async function record(actor: Actor, entries: AuditEntry[]) {
  const audit = await app.container.make(AuditTrail)
  await db.transaction(async (trx) => {
    for (const entry of entries) await audit.record(trx, actor, entry)
  })
}

/** An audit row at a given time (the log is append-only; inserting is allowed). */
async function recordAt(at: DateTime, row: { actorLabel: string; action: string }) {
  await db.table('audit_logs').insert({
    actor_type: 'system',
    actor_label: row.actorLabel,
    action: row.action,
    created_at: at.toISO(),
  })
}

/** The ids of the rows a page shows, in order. */
const shownIds = (body: string) =>
  [...body.matchAll(/data-audit-id="(\d+)"/g)].map((match) => Number(match[1]))

async function idsOf(label: string) {
  const rows = await db.from('audit_logs').where('actor_label', label).orderBy('id').select('id')
  return rows.map((row) => Number(row.id))
}

/** Parses the CSV the export sends (quoted fields, doubled quotes, newlines inside quotes). */
function parseCsv(text: string) {
  const rows: string[][] = []
  let row: string[] = []
  let field = ''
  let quoted = false
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"'
        index++
      } else if (char === '"') quoted = false
      else field += char
    } else if (char === '"') quoted = true
    else if (char === ',') {
      row.push(field)
      field = ''
    } else if (char === '\n') {
      row.push(field)
      rows.push(row)
      row = []
      field = ''
    } else if (char !== '\r') field += char
  }
  if (field || row.length) rows.push([...row, field])
  const [header, ...body] = rows
  return body.map((cells) => Object.fromEntries(header.map((name, index) => [name, cells[index]])))
}

test.group('Panel: audit log', () => {
  test('every admin sees the log; rows show actor, action, subject links, IP and the change', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const label = `${unique('auditor')}@example.com`
    await record({ type: 'admin', id: 42, label, ip: '203.0.113.9' }, [
      {
        action: 'license.updated',
        subjectType: 'license',
        subjectId: 17,
        before: { status: 'active', note: '<script>alert(1)</script>' },
        after: { status: 'suspended', note: '<script>alert(1)</script>' },
      },
      { action: 'customer.created', subjectType: 'customer', subjectId: 5, after: { name: 'Ada' } },
      { action: 'product.deleted', subjectType: 'product', subjectId: 'abc' },
    ])

    const since = await lastAuditId()
    const page = await client.get(`/admin/audit?actor=${encodeURIComponent(label)}`)
    assert.equal(page.status, 200)
    assert.lengthOf(shownIds(page.body), 3)
    assert.include(page.body, label)
    assert.include(page.body, 'href="/admin/licenses/17"')
    assert.include(page.body, 'href="/admin/customers/5"')
    assert.notInclude(page.body, '/admin/products/abc')
    assert.include(page.body, '203.0.113.9')
    assert.include(page.body, '<details class="audit-change">')
    assert.include(page.body, '<summary>status</summary>')
    assert.include(page.body, '&quot;status&quot;: &quot;suspended&quot;')
    assert.notInclude(page.body, '<script>alert(1)</script>')
    assert.include(page.body, '&lt;script&gt;alert(1)&lt;/script&gt;')
    // The distinct actions are offered in the action filter.
    assert.include(page.body, '<option value="license.updated">')
    assert.include(page.body, '<option value="license.*">')
    // Viewing is no change: it writes nothing.
    assert.lengthOf(await auditRowsAfter(since), 0)
  })

  test('filters by actor, action, subject and time range', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const label = unique('filter-actor')
    const apiLabel = unique('filter-key')
    await record({ type: 'admin', id: 1, label }, [
      { action: 'license.created', subjectType: 'license', subjectId: 901 },
      { action: 'license.suspended', subjectType: 'license', subjectId: 902 },
      { action: 'customer.updated', subjectType: 'customer', subjectId: 901 },
    ])
    await record({ type: 'api_key', id: 7, label: apiLabel }, [
      { action: 'license.activated', subjectType: 'license', subjectId: 901 },
    ])
    const [created, suspended, customer] = await idsOf(label)
    const [activated] = await idsOf(apiLabel)

    const ids = async (query: string) => shownIds((await client.get(`/admin/audit?${query}`)).body)

    assert.deepEqual(await ids(`actor=${label}`), [customer, suspended, created])
    assert.deepEqual(await ids(`actor=${label}&sort=created_at&dir=asc`), [
      created,
      suspended,
      customer,
    ])
    assert.deepEqual(await ids(`actor=${label.toUpperCase()}&actor_type=admin`), [
      customer,
      suspended,
      created,
    ])
    assert.deepEqual(await ids(`actor=${label}&actor_type=api_key`), [])
    assert.deepEqual(await ids(`actor=${apiLabel}&actor_type=api_key`), [activated])
    assert.deepEqual(await ids(`actor=${label}&action=license.suspended`), [suspended])
    assert.deepEqual(await ids(`actor=${label}&action=license.*`), [suspended, created])
    assert.deepEqual(await ids(`actor=${label}&action=license.`), [])
    assert.deepEqual(await ids(`actor=${label}&sort=action&dir=asc`), [
      customer,
      created,
      suspended,
    ])
    assert.deepEqual(await ids(`subject_type=license&subject_id=901&actor=${label}`), [created])
    const subject = await ids('subject_type=license&subject_id=901')
    assert.includeMembers(subject, [created, activated])
    assert.notInclude(subject, customer)

    const marker = unique('timed')
    const at = (iso: string) => DateTime.fromISO(iso)
    await recordAt(at('2020-03-01T12:00'), { actorLabel: marker, action: 'timed.first' })
    await recordAt(at('2020-03-02T12:00'), { actorLabel: marker, action: 'timed.second' })
    await recordAt(at('2020-03-02T18:30'), { actorLabel: marker, action: 'timed.third' })
    await recordAt(at('2020-03-05T12:00'), { actorLabel: marker, action: 'timed.fourth' })
    const [first, second, third, fourth] = await idsOf(marker)
    assert.deepEqual(await ids(`actor=${marker}&from=2020-03-02&to=2020-03-02`), [third, second])
    assert.deepEqual(await ids(`actor=${marker}&from=2020-03-02T12:30`), [fourth, third])
    assert.deepEqual(await ids(`actor=${marker}&to=2020-03-02T18:30`), [third, second, first])
    assert.deepEqual(await ids(`actor=${marker}&to=2020-03-02T18:29`), [second, first])
    assert.deepEqual(await ids(`actor=${marker}&from=2020-03-06`), [])
  })

  test('pages through the log; malformed filters are ignored, never a 500', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const label = unique('pager')
    await record(
      { type: 'cli', label },
      Array.from({ length: 12 }, (_, index) => ({ action: `pager.step_${index}` }))
    )
    const ids = await idsOf(label)

    const first = await client.get(`/admin/audit?actor=${label}&per_page=10`)
    assert.deepEqual(shownIds(first.body), ids.slice(2).reverse())
    assert.include(first.body, '12 entries')
    assert.include(first.body, 'page=2')
    const second = await client.get(`/admin/audit?actor=${label}&per_page=10&page=2`)
    assert.deepEqual(shownIds(second.body), ids.slice(0, 2).reverse())
    const past = await client.get(`/admin/audit?actor=${label}&per_page=10&page=99`)
    assert.deepEqual(shownIds(past.body), ids.slice(0, 2).reverse())

    const ignored = await client.get(`/admin/audit?actor=${label}&from=2020-02-30&to=yesterday`)
    assert.equal(ignored.status, 200)
    assert.lengthOf(shownIds(ignored.body), 12)
    assert.include(ignored.body, 'Not understood and ignored')

    for (const query of [
      'page=abc',
      'page=0',
      'per_page=-5',
      'sort=password&dir=up',
      'actor_type=root',
      'actor=%25%27%22;--',
      'action=%25',
      "action=license';DROP TABLE audit_logs;--",
      'action=*',
      'subject_type=%00',
      'subject_id=' + 'x'.repeat(500),
      'from=2026-13-01',
      'from=9999-99-99T99:99',
      'to=2020-01-01T25:00',
      'from=<script>',
      'actor[]=a&actor[]=b',
      'subject_id[key]=1',
    ]) {
      const response = await client.get(`/admin/audit?${query}`)
      assert.equal(response.status, 200, query)
      const csv = await client.get(`/admin/audit/export.csv?${query}`)
      assert.equal(csv.status, 200, `export ${query}`)
    }
    const dropped = await db.from('audit_logs').count('* as total')
    assert.isAbove(Number(dropped[0].total), 0)
  })

  test('the CSV export follows the filters and defuses formula-looking values', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const label = unique('csv')
    const formula = `=HYPERLINK("http://evil.example","${label}")`
    await record({ type: 'system', label }, [
      { action: 'csv.kept', subjectType: 'license', subjectId: 3, after: { note: '+1 call me' } },
      { action: 'csv.dropped' },
    ])
    await record({ type: 'admin', label: formula, ip: '198.51.100.4' }, [{ action: 'csv.kept' }])

    const page = await client.get(`/admin/audit?actor=${label}&action=csv.kept`)
    assert.include(
      page.body,
      'href="/admin/audit/export.csv?actor=' +
        label +
        '&amp;action=csv.kept&amp;sort=created_at&amp;dir=desc"'
    )

    const response = await client.get(`/admin/audit/export.csv?actor=${label}&action=csv.kept`)
    assert.equal(response.status, 200)
    assert.match(response.headers.get('content-type')!, /^text\/csv/)
    assert.match(response.headers.get('content-disposition')!, /attachment; filename="audit-log-/)
    const rows = parseCsv(response.body)
    assert.lengthOf(rows, 2)
    assert.deepEqual(
      rows.map((row) => row.action),
      ['csv.kept', 'csv.kept']
    )
    const [byFormula, bySystem] = rows
    assert.equal(byFormula.actor_label, `'${formula}`)
    assert.equal(byFormula.actor_type, 'admin')
    assert.equal(byFormula.ip, '198.51.100.4')
    assert.equal(bySystem.actor_label, label)
    assert.equal(bySystem.subject_type, 'license')
    assert.equal(bySystem.subject_id, '3')
    assert.deepEqual(JSON.parse(bySystem.after), { note: '+1 call me' })
    assert.isTrue(DateTime.fromISO(bySystem.created_at).isValid)

    const all = parseCsv((await client.get(`/admin/audit/export.csv?actor=${label}`)).body)
    assert.lengthOf(all, 3)
    const oldestFirst = parseCsv(
      (await client.get(`/admin/audit/export.csv?actor=${label}&sort=created_at&dir=asc`)).body
    )
    assert.deepEqual(
      oldestFirst.map((row) => row.id),
      [...all.map((row) => row.id)].reverse()
    )
  })

  test('the panel writes its own changes to the log, shown in the viewer', async ({ assert }) => {
    const { client, admin } = await loggedInPanel('owner')
    const { apiKey } = await createApiKey()
    await client.get('/admin/api-keys')
    await client.post(`/admin/api-keys/${apiKey.id}/revoke`)
    const page = await client.get(
      `/admin/audit?actor=${encodeURIComponent(admin.email)}&subject_type=api_key&subject_id=${apiKey.id}`
    )
    assert.lengthOf(shownIds(page.body), 1)
    assert.include(page.body, 'api_key.revoked')
  })

  test('not logged in: the log and its export redirect to the login form', async ({ assert }) => {
    const client = new PanelClient()
    for (const path of ['/admin/audit', '/admin/audit/export.csv']) {
      const response = await client.get(path)
      assert.equal(response.status, 302, path)
      assert.equal(response.location, '/admin/login')
    }
  })
})
