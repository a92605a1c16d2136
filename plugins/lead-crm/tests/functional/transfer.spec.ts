import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { baseUrl, unique } from '#tests/support/fixtures'
import { auditRowsAfter, lastAuditId, loggedInPanel, type PanelClient } from '#tests/support/panel'
import { createInstitution } from '../support.js'

const HEADER =
  'institution_id,name,type,status,address,website,owner_email,tags,contact_id,contact_name,contact_role,contact_email,contact_phone'

async function importText(client: PanelClient, csv: string) {
  await client.get('/admin/leads/import')
  return client.post('/admin/leads/import', { csv })
}

async function counts() {
  const [row] = await db
    .rawQuery(
      `SELECT (SELECT count(*) FROM lead_crm_institutions) AS institutions,
            (SELECT count(*) FROM lead_crm_contacts) AS contacts,
            (SELECT count(*) FROM lead_crm_tags) AS tags,
            (SELECT max(id) FROM audit_logs) AS audit`
    )
    .then((result) => result.rows)
  return row
}

test.group('lead-crm: CSV import and export', () => {
  test('an import with one bad row writes nothing and names every problem by line', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const name = unique('Import School')
    const csv = [
      HEADER,
      `,${name},school,new,,https://a.example.com,,,,Ada,Head,ada@example.com,`,
      `,${unique('Second')},,won,,,,,,,,,`,
      `,,,,,,,,,,,,`,
      `,${unique('Third')},,bought,,ftp://x,nobody@example.com,,,,,not-an-email,`,
      `999999999,${unique('Ghost')},,,,,,,,,,,`,
    ].join('\n')
    const before = await counts()
    const response = await importText(client, csv)
    assert.equal(response.status, 200)
    assert.include(response.body, 'data-testid="import-problems"')
    assert.include(response.body, 'Line 4, name')
    assert.include(response.body, 'Line 5, status')
    assert.include(response.body, 'Line 5, website')
    assert.include(response.body, 'Line 5, contact_email')
    assert.include(response.body, 'Line 6, institution_id')
    assert.notInclude(response.body, 'Line 2,')
    assert.deepEqual(await counts(), before)
    assert.isNull(await db.from('lead_crm_institutions').where('name', name).first())
  })

  test('a good import creates institutions, contacts and tags, and is audited', async ({
    assert,
  }) => {
    const { client, admin } = await loggedInPanel('admin')
    const name = unique('Import Academy')
    const tag = unique('imported')
    const csv = [
      HEADER,
      `,${name},school,contacted,"Ring 1, Köln",https://academy.example.com,${admin.email},${tag},,Ada,Head,ada@example.com,'+49 1`,
      `,${name},school,contacted,"Ring 1, Köln",https://academy.example.com,${admin.email},${tag},,Bob,,,`,
    ].join('\n')
    const since = await lastAuditId()
    const response = await importText(client, csv)
    assert.include(response.body, 'data-testid="import-outcome"')
    const institution = await db.from('lead_crm_institutions').where('name', name).first()
    assert.include(institution, {
      status: 'contacted',
      owner_id: admin.id,
      address: 'Ring 1, Köln',
    })
    const contacts = await db
      .from('lead_crm_contacts')
      .where('institution_id', institution.id)
      .orderBy('id')
    assert.deepEqual(
      contacts.map((row) => [row.name, row.phone]),
      [
        ['Ada', '+49 1'],
        ['Bob', null],
      ]
    )
    const actions = (await auditRowsAfter(since)).map((row) => row.action)
    assert.include(actions, 'lead.institution_created')
    assert.equal(actions.at(-1), 'lead.imported')
  })

  test('importing an export changes nothing', async ({ assert }) => {
    const { client, admin } = await loggedInPanel('admin')
    const [tag] = await db
      .table('lead_crm_tags')
      .insert({ name: unique('roundtrip'), color: '#123456' })
      .returning(['id'])
    const marker = unique('roundtrip')
    await createInstitution(
      {
        name: `${marker} one`,
        type: 'school',
        address: 'Line 1\nLine 2',
        website: 'https://one.example.com',
        status: 'qualified',
        owner_id: admin.id,
        tags: [tag.id],
      },
      [
        { name: 'Ada', role: 'Head', email: 'ada@example.com', phone: '+49 30 1' },
        { name: '=cmd()', email: 'eve@example.com' },
      ]
    )
    await createInstitution({ name: `${marker} two, "quoted"` })

    const exported = await fetch(`${baseUrl()}/admin/leads/export.csv?q=${marker}`, {
      headers: { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    })
    assert.equal(exported.status, 200)
    const csv = await exported.text()
    assert.include(csv, "'=cmd()")
    assert.match(csv, /^institution_id,name,type,status,/)
    assert.include(csv, '"Line 1\nLine 2"')

    const before = await counts()
    const response = await importText(client, csv)
    assert.include(response.body, 'data-testid="import-outcome"')
    assert.include(
      response.body,
      '0 institutions created, 0 updated; 0 contacts created, 0 updated'
    )
    assert.deepEqual(await counts(), before)
    const contact = await db.from('lead_crm_contacts').where('email', 'eve@example.com').first()
    assert.equal(contact.name, '=cmd()')
  })

  test('an uploaded file imports like pasted text', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    await client.get('/admin/leads/import')
    const name = unique('Uploaded')
    const form = new FormData()
    form.set('_csrf', client.csrfToken!)
    form.set('file', new Blob([`name,status\n${name},new\n`], { type: 'text/csv' }), 'leads.csv')
    const response = await fetch(`${baseUrl()}/admin/leads/import`, {
      method: 'POST',
      body: form,
      headers: {
        cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        referer: `${baseUrl()}/admin/leads/import`,
      },
    })
    assert.equal(response.status, 200)
    assert.isNotNull(await db.from('lead_crm_institutions').where('name', name).first())
  })

  test('an updated row changes only that institution and logs its status change', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const id = await createInstitution({ status: 'new' })
    const { name } = await db.from('lead_crm_institutions').where('id', id).first()
    await importText(client, `${HEADER}\n${id},${name},,won,,,,,,,,,`)
    const row = await db.from('lead_crm_institutions').where('id', id).first()
    assert.equal(row.status, 'won')
    const [activity] = await db.from('lead_crm_activities').where('institution_id', id)
    assert.deepEqual(activity.details, { from: 'new', to: 'won' })
  })
})
