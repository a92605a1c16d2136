import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import { hostWith, serveHost } from '#tests/support/plugin_server'
import { cliActor } from '#plugin_host/api'
import { unique } from '#tests/support/fixtures'
import { loggedInPanel } from '#tests/support/panel'
import InstitutionService from '../../services/institution_service.js'
import { createInstitution } from '../support.js'

test.group('lead-crm: statistics', () => {
  test('GET /admin/leads/api/stats counts by status and tag, and conversions per month', async ({
    assert,
  }) => {
    const { client } = await loggedInPanel('admin')
    const stats = async () => JSON.parse((await client.get('/admin/leads/api/stats')).body)
    const before = await stats()
    assert.lengthOf(before.conversions, 12)
    const thisMonth = DateTime.utc().toFormat('yyyy-LL')
    assert.equal(before.conversions.at(-1).month, thisMonth)

    const [tag] = await db
      .table('lead_crm_tags')
      .insert({ name: unique('stat'), color: '#00aa00' })
      .returning(['id'])
    await createInstitution({ status: 'lost', tags: [tag.id] })
    const id = await createInstitution({ status: 'qualified', tags: [tag.id] })
    const row = await db.from('lead_crm_institutions').where('id', id).first()
    const institutions = await app.container.make(InstitutionService)
    await institutions.update(id, { ...row, tags: [tag.id], status: 'won' }, cliActor('tests'))

    const after = await stats()
    assert.equal(after.total, before.total + 2)
    assert.equal(after.by_status.won, before.by_status.won + 1)
    assert.equal(after.by_status.lost, before.by_status.lost + 1)
    assert.deepInclude(after.by_tag, {
      id: tag.id,
      name: (await db.from('lead_crm_tags').where('id', tag.id).first()).name,
      color: '#00aa00',
      count: 2,
    })
    assert.equal(after.conversions.at(-1).count, before.conversions.at(-1).count + 1)

    // The dashboard's card, from the same figures.
    const dashboard = await client.get('/admin')
    const card = dashboard.body.slice(dashboard.body.indexOf('data-card="lead-crm"'))
    assert.include(card, 'href="/admin/leads/stats"')
    assert.match(card, new RegExp(`Won</td><td class="numeric">${after.by_status.won}<`))

    const page = await client.get('/admin/leads/stats')
    assert.equal(page.status, 200)
    assert.include(page.body, 'id="conversions-chart"')
    assert.include(page.body, 'src="/admin/leads/assets/stats.js"')
    assert.include(page.body, 'href="/admin/leads/assets/tags.css"')
    assert.include(page.body, 'href="/admin/leads?status=won"')
    assert.include(page.body, `href="/admin/leads?tag=${tag.id}"`)
    assert.include(page.body, '/assets/vendor/chart.umd.min.js?v=')
    assert.equal((await client.get('/admin/leads/assets/stats.js')).status, 200)
  })
})

const PLUGIN_ROUTES = [
  ['GET', '/admin/leads'],
  ['GET', '/admin/leads/1'],
  ['POST', '/admin/leads/import'],
  ['GET', '/admin/leads/api/stats'],
  ['GET', '/admin/leads/export.csv'],
] as const

test.group('lead-crm: enabling and disabling', () => {
  test('enabled: its routes and two menu entries', async ({ assert }) => {
    const host = await hostWith(['session-resumable', 'lead-crm'])
    const server = await serveHost(host)
    for (const [method, path] of PLUGIN_ROUTES) {
      assert.isNotNull(server.router.match(path, method, false), `${method} ${path}`)
    }
    await server.close()
    assert.includeMembers(
      host.navigation().map((item) => item.href),
      ['/admin/leads', '/admin/leads/stats']
    )
  })

  test('disabled: 404, no menu entry, and its data stays', async ({ assert, cleanup }) => {
    const id = await createInstitution()
    const host = await hostWith(['session-resumable'])
    const server = await serveHost(host)
    cleanup(() => server.close())
    for (const [method, path] of PLUGIN_ROUTES) {
      const response = await server.request(path, method)
      assert.equal(response.status, 404, `${method} ${path}`)
    }
    assert.notInclude(
      host.navigation().map((item) => item.href),
      '/admin/leads'
    )
    assert.isNotNull(await db.from('lead_crm_institutions').where('id', id).first())
  })
})
