import { test } from '@japa/runner'
import ApiKey from '#models/api_key'
import { createApiKey, rawRequest, unique } from '#tests/support/fixtures'
import { PanelClient, auditRowsAfter, lastAuditId, loggedInPanel } from '#tests/support/panel'

const stats = (key: string) =>
  rawRequest('/api/stats', { method: 'GET', headers: { 'x-api-key': key } })

/** The key shown once on the page that creates it. */
function shownKey(body: string) {
  return body.match(/data-testid="api-key">([^<]+)</)?.[1] ?? null
}

test.group('Panel: API keys', () => {
  test('creating a key shows it once; it works, and the list shows only its hint', async ({
    assert,
  }) => {
    const { client, admin } = await loggedInPanel('admin')
    const name = unique('shop-backend')
    const since = await lastAuditId()
    await client.get('/admin/api-keys')

    const created = await client.post('/admin/api-keys', { name: `  ${name}  ` })
    assert.equal(created.status, 200)
    assert.equal(created.headers.get('cache-control'), 'no-store')
    const key = shownKey(created.body)
    assert.isNotNull(key)
    assert.include(created.body, 'shown only this once')

    const record = await ApiKey.findByOrFail('name', name)
    assert.equal(record.keyHint, `${key!.slice(0, 12)}…${key!.slice(-4)}`)
    assert.equal((await stats(key!)).status, 200)

    const list = await client.get(`/admin/api-keys?q=${encodeURIComponent(name)}`)
    assert.equal(list.status, 200)
    assert.include(list.body, name)
    assert.include(list.body, record.keyHint)
    assert.notInclude(list.body, key!)
    // Nothing about the key went into the session: the next page does not show it.
    assert.notInclude((await client.get('/admin/api-keys')).body, key!)

    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((row) => row.action),
      ['api_key.created']
    )
    assert.equal(rows[0].actorType, 'admin')
    assert.equal(rows[0].actorId, String(admin.id))
    assert.equal(rows[0].actorLabel, admin.email)
    assert.equal(rows[0].subjectId, String(record.id))
    assert.deepEqual(rows[0].after, { name, hint: record.keyHint })
    assert.notInclude(JSON.stringify(rows[0].after), key!)
  })

  test('an owner revokes a key: the API refuses it and the revocation is audited', async ({
    assert,
  }) => {
    const { client, admin: owner } = await loggedInPanel('owner')
    const { key, apiKey } = await createApiKey()
    assert.equal((await stats(key)).status, 200)

    const list = await client.get(`/admin/api-keys?q=${apiKey.name}`)
    assert.include(list.body, `/admin/api-keys/${apiKey.id}/revoke`)
    assert.include(list.body, 'data-confirm=')

    const since = await lastAuditId()
    const revoked = await client.post(`/admin/api-keys/${apiKey.id}/revoke`)
    assert.equal(revoked.location, '/admin/api-keys')
    assert.include((await client.get('/admin/api-keys')).body, 'was revoked')

    const refused = await stats(key)
    assert.equal(refused.status, 401)
    assert.equal(refused.body.error.code, 'INVALID_API_KEY')
    await apiKey.refresh()
    assert.isNotNull(apiKey.revokedAt)

    const rows = await auditRowsAfter(since)
    assert.deepEqual(
      rows.map((row) => row.action),
      ['api_key.revoked']
    )
    assert.equal(rows[0].actorType, 'admin')
    assert.equal(rows[0].actorId, String(owner.id))
    assert.equal(rows[0].subjectId, String(apiKey.id))

    // Revoking again changes nothing and writes nothing.
    await client.get('/admin/api-keys')
    await client.post(`/admin/api-keys/${apiKey.id}/revoke`)
    assert.lengthOf(await auditRowsAfter(since), 1)

    const revokedList = await client.get(`/admin/api-keys?q=${apiKey.name}&status=revoked`)
    assert.include(revokedList.body, apiKey.name)
    assert.notInclude(revokedList.body, `/admin/api-keys/${apiKey.id}/revoke`)
    assert.notInclude(
      (await client.get(`/admin/api-keys?q=${apiKey.name}&status=active`)).body,
      apiKey.keyHint
    )
    assert.equal((await client.post('/admin/api-keys/99999999/revoke')).status, 404)
  })

  test('an admin cannot revoke: no button, 403, and the key still works', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const { key, apiKey } = await createApiKey()
    const list = await client.get(`/admin/api-keys?q=${apiKey.name}`)
    assert.include(list.body, apiKey.keyHint)
    assert.notInclude(list.body, `/admin/api-keys/${apiKey.id}/revoke`)
    assert.include(list.body, 'Only owners can revoke keys.')

    const since = await lastAuditId()
    const refused = await client.post(`/admin/api-keys/${apiKey.id}/revoke`)
    assert.equal(refused.status, 403)
    await apiKey.refresh()
    assert.isNull(apiKey.revokedAt)
    assert.equal((await stats(key)).status, 200)
    assert.lengthOf(await auditRowsAfter(since), 0)
  })

  test('an empty or too long name is a field error and creates nothing', async ({ assert }) => {
    const { client } = await loggedInPanel('owner')
    const since = await lastAuditId()
    const before = await ApiKey.query().count('* as total').first()

    for (const name of ['', '   ', 'x'.repeat(121)]) {
      await client.get('/admin/api-keys')
      const response = await client.post('/admin/api-keys', { name })
      assert.equal(response.status, 302, JSON.stringify(name))
      assert.isNull(shownKey(response.body))
      const form = await client.get('/admin/api-keys')
      assert.include(form.body, 'id="field-name-error"')
    }
    const missing = await client.post('/admin/api-keys', {})
    assert.equal(missing.status, 302)

    const after = await ApiKey.query().count('* as total').first()
    assert.equal(Number(after!.$extras.total), Number(before!.$extras.total))
    assert.lengthOf(await auditRowsAfter(since), 0)
  })

  test('the list sorts, filters and pages; bad list parameters fall back', async ({ assert }) => {
    const { client } = await loggedInPanel('admin')
    const prefix = unique('sorted')
    for (const suffix of ['b', 'a', 'c']) await createApiKey(`${prefix}-${suffix}`)

    const ascending = await client.get(`/admin/api-keys?q=${prefix}&sort=name&dir=asc`)
    const positions = ['a', 'b', 'c'].map((suffix) =>
      ascending.body.indexOf(`${prefix}-${suffix}<`)
    )
    assert.isAbove(positions[0], -1)
    assert.deepEqual(
      [...positions].sort((x, y) => x - y),
      positions
    )

    const byHint = await ApiKey.findByOrFail('name', `${prefix}-a`)
    assert.include(
      (await client.get(`/admin/api-keys?q=${encodeURIComponent(byHint.keyHint.slice(0, 12))}`))
        .body,
      byHint.name
    )

    for (const query of [
      'page=abc',
      'page=-1',
      'sort=key_hash',
      'dir=sideways',
      'status=deleted',
      'per_page=100000',
      'q=' + '%'.repeat(300),
      'sort=last_used_at&dir=asc',
    ]) {
      assert.equal((await client.get(`/admin/api-keys?${query}`)).status, 200, query)
    }
  })

  test('not logged in: the pages redirect to the login form', async ({ assert }) => {
    const client = new PanelClient()
    const list = await client.get('/admin/api-keys')
    assert.equal(list.status, 302)
    assert.equal(list.location, '/admin/login')
    const create = await client.post('/admin/api-keys', { name: 'sneaky' })
    assert.notEqual(create.status, 200)
    assert.isNull(await ApiKey.findBy('name', 'sneaky'))
  })
})
