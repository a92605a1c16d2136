import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { unique } from '#tests/support/fixtures'
import { PanelClient, auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import { createInstitution, institutionForm } from '../support.js'

async function institution(id: number) {
  return db.from('lead_crm_institutions').where('id', id).first()
}

async function tagNamed(name: string, color = '#ff8800') {
  const [row] = await db.table('lead_crm_tags').insert({ name, color }).returning(['id'])
  return row.id as number
}

test.group('lead-crm: institutions', () => {
  test('create with owner and tags: saved and audited', async ({ assert }) => {
    const { client, admin } = await loggedInPanel('admin')
    const tag = await tagNamed(unique('school'))
    await client.get('/admin/leads/new')
    const since = await lastAuditId()
    const name = unique('Gymnasium')
    const response = await client.post(
      '/admin/leads',
      institutionForm({
        name,
        'type': 'school',
        'address': 'Hauptstr. 1\n10115 Berlin',
        'website': 'https://school.example.com',
        'owner_id': admin.id,
        'tags[]': [tag],
      })
    )
    assert.equal(response.status, 302)
    const row = await db.from('lead_crm_institutions').where('name', name).first()
    assert.equal(response.location, `/admin/leads/${row.id}`)
    assert.include(row, { type: 'school', status: 'new', owner_id: admin.id })
    const tags = await db.from('lead_crm_institution_tags').where('institution_id', row.id)
    assert.deepEqual(
      tags.map((entry) => entry.tag_id),
      [tag]
    )
    const [audit] = await auditRowsAfter(since)
    assert.equal(audit.action, 'lead.institution_created')
    assert.equal(audit.actorLabel, admin.email)

    const page = await client.get(`/admin/leads/${row.id}`)
    assert.equal(page.status, 200)
    assert.include(page.body, name)
    assert.include(page.body, 'https://school.example.com')
  })

  test('a status change goes on the timeline by itself; an unchanged save writes nothing', async ({
    assert,
  }) => {
    const id = await createInstitution({ status: 'new' })
    const { name } = await institution(id)
    const { client } = await loggedInPanel('admin')
    await client.get(`/admin/leads/${id}/edit`)
    const since = await lastAuditId()
    await client.post(`/admin/leads/${id}`, institutionForm({ name, status: 'contacted' }))
    const activities = await db.from('lead_crm_activities').where('institution_id', id)
    assert.lengthOf(activities, 1)
    assert.equal(activities[0].kind, 'status_change')
    assert.deepEqual(activities[0].details, { from: 'new', to: 'contacted' })
    const audit = await auditRowsAfter(since)
    assert.deepEqual(
      audit.map((row) => row.action),
      ['lead.institution_updated']
    )
    assert.deepEqual(audit[0].before, { status: 'new' })

    await client.get(`/admin/leads/${id}/edit`)
    const again = await lastAuditId()
    await client.post(`/admin/leads/${id}`, institutionForm({ name, status: 'contacted' }))
    assert.lengthOf(await auditRowsAfter(again), 0)
    assert.lengthOf(await db.from('lead_crm_activities').where('institution_id', id), 1)
  })

  test('bad input is refused and nothing is written', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const since = await lastAuditId()
    for (const fields of [
      { name: '' },
      { name: 'x', status: 'bought' },
      { name: 'x', website: 'javascript:alert(1)' },
      { name: 'x', owner_id: 999999999 },
      { 'name': 'x', 'tags[]': [999999999] },
    ]) {
      await client.get('/admin/leads/new')
      const response = await client.post('/admin/leads', institutionForm(fields as any))
      assert.equal(response.status, 302, JSON.stringify(fields))
      assert.notMatch(response.location!, /\/leads\/\d+$/, JSON.stringify(fields))
    }
    // A refusal of the database (an owner that does not exist) is shown beside its field.
    await client.get('/admin/leads/new')
    await client.post('/admin/leads', institutionForm({ name: 'x', owner_id: 999999999 }))
    const form = await client.get('/admin/leads/new')
    assert.include(form.body, 'This admin does not exist (any more).')
    assert.lengthOf(await auditRowsAfter(since), 0)
  })

  test('delete removes contacts, notes and timeline; the audit keeps the record', async ({
    assert,
  }) => {
    const id = await createInstitution({}, [{ name: 'Ada' }])
    const { client } = await loggedInPanel('admin')
    const confirm = await client.get(`/admin/leads/${id}/delete`)
    assert.include(confirm.body, '1 contact')
    const since = await lastAuditId()
    const response = await client.post(`/admin/leads/${id}/delete`)
    assert.equal(response.location, '/admin/leads')
    assert.isNull(await institution(id))
    assert.lengthOf(await db.from('lead_crm_contacts').where('institution_id', id), 0)
    const [audit] = await auditRowsAfter(since)
    assert.equal(audit.action, 'lead.institution_deleted')
    assert.equal(audit.before!.contacts, 1)
    assert.equal((await client.get(`/admin/leads/${id}`)).status, 404)
  })

  test('calls, mails and meetings are logged on the timeline', async ({ assert }) => {
    const id = await createInstitution()
    const { client } = await loggedInPanel('admin')
    await client.get(`/admin/leads/${id}`)
    const since = await lastAuditId()
    await client.post(`/admin/leads/${id}/activities`, {
      kind: 'meeting',
      summary: 'Demo at the school',
      occurred_at: '2026-11-20T10:30',
    })
    const [activity] = await db.from('lead_crm_activities').where('institution_id', id)
    assert.include(activity, { kind: 'meeting', summary: 'Demo at the school' })
    assert.equal(new Date(activity.occurred_at).toISOString(), '2026-11-20T10:30:00.000Z')
    assert.equal((await auditRowsAfter(since))[0].action, 'lead.activity_logged')
    const page = await client.get(`/admin/leads/${id}`)
    assert.include(page.body, 'Demo at the school')
  })

  test('the lead pages need the panel login', async ({ assert }) => {
    const anonymous = new PanelClient()
    for (const path of [
      '/admin/leads',
      '/admin/leads/stats',
      '/admin/leads/api/stats',
      '/admin/leads/export.csv',
    ]) {
      const response = await anonymous.get(path)
      assert.equal(response.status, 302, path)
      assert.equal(response.location, '/admin/login', path)
    }
  })
})

test.group('lead-crm: search and filters', () => {
  test('free text over names, contacts and notes; status, tag and owner filters', async ({
    assert,
  }) => {
    const { client, admin } = await loggedInPanel('admin')
    const marker = unique('zq')
    const tag = await tagNamed(unique('tag'))
    const byName = await createInstitution({ name: `${marker} Academy`, status: 'qualified' })
    const byContact = await createInstitution({ owner_id: admin.id, tags: [tag] }, [
      { name: 'Grace', email: `${marker}@example.com` },
    ])
    const byNote = await createInstitution({ status: 'lost' })
    await db.table('lead_crm_notes').insert({ institution_id: byNote, body: `met ${marker} today` })
    const unrelated = await createInstitution()

    const ids = async (query: string) => {
      const page = await client.get(`/admin/leads?${query}&per_page=100`)
      return [...page.body.matchAll(/data-institution="(\d+)"/g)].map((match) => Number(match[1]))
    }
    assert.sameMembers(await ids(`q=${marker}`), [byName, byContact, byNote])
    assert.notInclude(await ids(`q=${marker}`), unrelated)
    assert.sameMembers(await ids(`q=${marker}&status=qualified`), [byName])
    assert.sameMembers(await ids(`q=${marker}&tag=${tag}`), [byContact])
    assert.sameMembers(await ids(`q=${marker}&owner=${admin.id}`), [byContact])
    assert.sameMembers(await ids(`q=${marker}&owner=none`), [byName, byNote])

    // The export link carries the same filters, without the page.
    const page = await client.get(`/admin/leads?q=${marker}&status=lost&page=2`)
    assert.include(
      page.body,
      `href="/admin/leads/export.csv?status=lost&amp;q=${marker}&amp;sort=updated_at&amp;dir=desc"`
    )
  })
})

test.group('lead-crm: converting a won institution', () => {
  test('creates the customer, linked both ways, once', async ({ assert }) => {
    const id = await createInstitution({ status: 'qualified' }, [
      { name: 'Ada Lovelace', role: 'Head', email: `${unique('ada')}@example.com` },
    ])
    const { client } = await loggedInPanel('admin')
    await client.get(`/admin/leads/${id}`)
    await client.post(`/admin/leads/${id}/convert`)
    assert.isNull((await institution(id)).customer_id, 'not won yet: refused')
    const refused = await client.get(`/admin/leads/${id}`)
    assert.include(refused.body, 'Only a won institution can become a customer.')

    const { name } = await institution(id)
    await client.get(`/admin/leads/${id}/edit`)
    await client.post(`/admin/leads/${id}`, institutionForm({ name, status: 'won' }))
    const since = await lastAuditId()
    await client.get(`/admin/leads/${id}`)
    await client.post(`/admin/leads/${id}/convert`)
    const converted = await institution(id)
    assert.isNotNull(converted.customer_id)
    const customer = await db.from('customers').where('id', converted.customer_id).first()
    assert.equal(customer.name, name)
    assert.match(customer.email, /^ada-.*@example\.com$/)
    assert.deepEqual(
      (await auditRowsAfter(since)).map((row) => row.action),
      ['customer.created', 'lead.institution_converted']
    )
    const kinds = await db.from('lead_crm_activities').where('institution_id', id).select('kind')
    assert.includeMembers(
      kinds.map((row) => row.kind),
      ['status_change', 'converted']
    )

    // Both ways: the institution names the customer, the customer links back.
    const leadPage = await client.get(`/admin/leads/${id}`)
    assert.include(leadPage.body, `/admin/customers/${customer.id}`)
    const customerPage = await client.get(`/admin/customers/${customer.id}`)
    assert.include(customerPage.body, `href="/admin/leads/${id}"`)

    // Once only, also when clicked twice at the same moment.
    await Promise.all([
      client.post(`/admin/leads/${id}/convert`),
      client.post(`/admin/leads/${id}/convert`),
    ])
    const [{ count }] = await db.from('customers').where('name', name).count('* as count')
    assert.equal(Number(count), 1)
  })
})
