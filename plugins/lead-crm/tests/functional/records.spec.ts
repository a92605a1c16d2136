import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { unique } from '#tests/support/fixtures'
import { auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'
import { cliActor } from '#plugin_host/api'
import NoteService from '../../services/note_service.js'
import { createInstitution } from '../support.js'

test.group('lead-crm: notes keep every version', () => {
  test('editing adds versions; restoring brings back an earlier text as the newest', async ({
    assert,
  }) => {
    const id = await createInstitution()
    const { client, admin } = await loggedInPanel('admin')
    await client.get(`/admin/leads/${id}`)
    await client.post(`/admin/leads/${id}/notes`, { body: 'First call: interested' })
    const note = await db.from('lead_crm_notes').where('institution_id', id).first()
    await client.get(`/admin/leads/${id}`)
    await client.post(`/admin/leads/${id}/notes/${note.id}`, { body: 'Second: wants a quote' })
    await client.get(`/admin/leads/${id}`)
    await client.post(`/admin/leads/${id}/notes/${note.id}`, { body: 'Third: quote sent' })

    const versions = () =>
      db.from('lead_crm_note_versions').where('note_id', note.id).orderBy('version')
    assert.deepEqual(
      (await versions()).map((row) => [row.version, row.body, row.author_label]),
      [
        [1, 'First call: interested', admin.email],
        [2, 'Second: wants a quote', admin.email],
        [3, 'Third: quote sent', admin.email],
      ]
    )

    const history = await client.get(`/admin/leads/${id}/notes/${note.id}`)
    assert.equal(history.status, 200)
    assert.include(history.body, 'First call: interested')
    const since = await lastAuditId()
    const restored = await client.post(`/admin/leads/${id}/notes/${note.id}/restore`, {
      version: 1,
    })
    assert.equal(restored.location, `/admin/leads/${id}/notes/${note.id}`)
    const current = await db.from('lead_crm_notes').where('id', note.id).first()
    assert.include(current, { body: 'First call: interested', version: 4 })
    const last = (await versions()).at(-1)
    assert.include(last, { version: 4, body: 'First call: interested', restored_from: 1 })
    const [audit] = await auditRowsAfter(since)
    assert.equal(audit.action, 'lead.note_restored')
    assert.deepEqual(audit.after, {
      note_id: note.id,
      version: 4,
      body: 'First call: interested',
      restored_from: 1,
    })

    // The same text again is no new version.
    await client.get(`/admin/leads/${id}`)
    await client.post(`/admin/leads/${id}/notes/${note.id}`, { body: 'First call: interested' })
    assert.lengthOf(await versions(), 4)
  })

  test('edits racing on one note each get their own version', async ({ assert }) => {
    const id = await createInstitution()
    const actor = cliActor('tests')
    const notes = await app.container.make(NoteService)
    const noteId = await notes.create(id, 'v1', actor)
    await Promise.all(
      Array.from({ length: 12 }, (_, index) => notes.update(id, noteId, `edit ${index}`, actor))
    )
    const versions = await db
      .from('lead_crm_note_versions')
      .where('note_id', noteId)
      .orderBy('version')
    assert.deepEqual(
      versions.map((row) => row.version),
      Array.from({ length: 13 }, (_, index) => index + 1)
    )
    const note = await db.from('lead_crm_notes').where('id', noteId).first()
    assert.equal(note.version, 13)
    assert.equal(note.body, versions.at(-1).body)
  })

  test('a note is reached only through its own institution', async ({ assert }) => {
    const owner = await createInstitution()
    const other = await createInstitution()
    const [note] = await db
      .table('lead_crm_notes')
      .insert({ institution_id: owner, body: 'private' })
      .returning(['id'])
    const { client } = await loggedInPanel('admin')
    assert.equal((await client.get(`/admin/leads/${other}/notes/${note.id}`)).status, 404)
    await client.get(`/admin/leads/${other}`)
    const response = await client.post(`/admin/leads/${other}/notes/${note.id}`, {
      body: 'changed',
    })
    assert.equal(response.status, 404)
    const unchanged = await db.from('lead_crm_notes').where('id', note.id).first()
    assert.equal(unchanged.body, 'private')
  })
})

test.group('lead-crm: contacts', () => {
  test('add, change and delete contacts, each audited', async ({ assert }) => {
    const id = await createInstitution()
    const { client } = await loggedInPanel('admin')
    await client.get(`/admin/leads/${id}`)
    const since = await lastAuditId()
    await client.post(`/admin/leads/${id}/contacts`, {
      name: 'Grace Hopper',
      role: 'Principal',
      email: 'GRACE@Example.com',
      phone: '+49 30 1234',
    })
    const contact = await db.from('lead_crm_contacts').where('institution_id', id).first()
    assert.include(contact, {
      name: 'Grace Hopper',
      email: 'grace@example.com',
      phone: '+49 30 1234',
    })
    await client.get(`/admin/leads/${id}`)
    await client.post(`/admin/leads/${id}/contacts/${contact.id}`, {
      name: 'Grace Hopper',
      role: 'Deputy',
      email: 'grace@example.com',
    })
    const changed = await db.from('lead_crm_contacts').where('id', contact.id).first()
    assert.include(changed, { role: 'Deputy', phone: null })
    await client.get(`/admin/leads/${id}`)
    await client.post(`/admin/leads/${id}/contacts/${contact.id}/delete`)
    assert.isNull(await db.from('lead_crm_contacts').where('id', contact.id).first())
    assert.deepEqual(
      (await auditRowsAfter(since)).map((row) => row.action),
      ['lead.contact_created', 'lead.contact_updated', 'lead.contact_deleted']
    )

    await client.get(`/admin/leads/${id}`)
    const bad = await client.post(`/admin/leads/${id}/contacts`, {
      name: 'x',
      email: 'not-an-email',
    })
    assert.equal(bad.status, 302)
    assert.lengthOf(await db.from('lead_crm_contacts').where('institution_id', id), 0)
  })
})

test.group('lead-crm: tags', () => {
  test('names are unique whatever the case; colours are #rrggbb', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const name = unique('Gymnasium')
    await client.get('/admin/leads/tags')
    await client.post('/admin/leads/tags', { name, color: '#AA3300' })
    const tag = await db.from('lead_crm_tags').where('name', name).first()
    assert.equal(tag.color, '#aa3300')
    await client.get('/admin/leads/tags')
    const taken = await client.post('/admin/leads/tags', {
      name: name.toUpperCase(),
      color: '#000000',
    })
    assert.equal(taken.location, '/admin/leads/tags')
    const refused = await client.get('/admin/leads/tags')
    assert.include(refused.body, 'A tag with this name exists.')
    assert.include(refused.body, `value="${name.toUpperCase()}"`, 'the form keeps what was typed')
    await client.post('/admin/leads/tags', { name: unique('x'), color: 'red' })
    const [{ count }] = await db
      .from('lead_crm_tags')
      .whereRaw('lower(name) = lower(?)', [name])
      .count('* as count')
    assert.equal(Number(count), 1)

    const css = await client.get('/admin/leads/assets/tags.css')
    assert.include(css.body, '.tag-aa3300{background:#aa3300;color:#ffffff}')

    await client.get('/admin/leads/tags')
    await client.post(`/admin/leads/tags/${tag.id}/delete`)
    assert.isNull(await db.from('lead_crm_tags').where('id', tag.id).first())
  })
})
