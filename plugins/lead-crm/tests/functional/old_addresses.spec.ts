import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { baseUrl, unique } from '#tests/support/fixtures'
import { loggedInPanel } from '#tests/support/panel'
import { createInstitution } from '../support.js'

/** The lead CRM lived at `/leads` before 1.1; bookmarks and old forms keep working. */
test.group('lead-crm: the old /leads addresses', () => {
  test('a GET answers 301 to the same page under /admin/leads, query string kept', async ({
    assert,
  }) => {
    const marker = unique('old')
    const id = await createInstitution({ name: `${marker} Academy`, status: 'won' })
    const { client } = await loggedInPanel('admin')

    const list = await client.get(`/leads?status=won&q=${encodeURIComponent(marker)}&per_page=10`)
    assert.equal(list.status, 301)
    assert.equal(
      list.location,
      `/admin/leads?status=won&q=${encodeURIComponent(marker)}&per_page=10`
    )
    const page = await client.get(list.location!)
    assert.equal(page.status, 200)
    assert.match(page.body, new RegExp(`data-institution="${id}"`))

    const show = await client.get(`/leads/${id}`)
    assert.equal(show.status, 301)
    assert.equal(show.location, `/admin/leads/${id}`)
    const stats = await client.get('/leads/api/stats')
    assert.equal(stats.status, 301)
    assert.equal(stats.location, '/admin/leads/api/stats')
  })

  test('a POST answers 308, so the form is posted again to the new address', async ({ assert }) => {
    const id = await createInstitution()
    const { client } = await loggedInPanel('admin')
    await client.get(`/admin/leads/${id}`)

    const moved = await client.post(`/leads/${id}/notes`, { body: 'not written by the 308' })
    assert.equal(moved.status, 308)
    assert.equal(moved.location, `/admin/leads/${id}/notes`)
    assert.lengthOf(await db.from('lead_crm_notes').where('institution_id', id), 0)

    // A browser posts the same body again to the new address.
    const followed = await fetch(`${baseUrl()}/leads/${id}/notes`, {
      method: 'POST',
      redirect: 'follow',
      headers: {
        'cookie': [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        'content-type': 'application/x-www-form-urlencoded',
        'accept': 'text/html',
        'referer': `${baseUrl()}/admin/leads/${id}`,
      },
      body: new URLSearchParams({ _csrf: client.csrfToken!, body: 'Posted to /leads' }),
    })
    assert.equal(followed.status, 200)
    assert.equal(new URL(followed.url).pathname, `/admin/leads/${id}`)
    const notes = await db.from('lead_crm_notes').where('institution_id', id)
    assert.deepEqual(
      notes.map((note) => note.body),
      ['Posted to /leads']
    )
  })
})
