import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { Edge } from 'edge.js'
import { definePlugin } from '#plugin_host/define_plugin'
import { hostWith, serveHost } from '#tests/support/plugin_server'
import { panelGuards } from '#start/kernel'
import PluginHost, { pluginMigrationPaths, UnknownPluginError } from '#plugin_host/plugin_host'
import { SessionPolicyRegistry } from '#services/session_policies'
import { ClientConfigRegistry } from '#services/client_config'

const FIXTURES = app.makePath('tests/fixtures/plugins')

const hostFor = (enabled: string[]) => hostWith(enabled, FIXTURES)
const serve = serveHost

test.group('Plugin host', () => {
  test('an enabled plugin contributes routes, views, navigation and jobs', async ({
    assert,
    cleanup,
  }) => {
    const host = await hostFor(['fixture-pages'])
    const server = await serve(host)
    cleanup(() => server.close())

    const response = await server.get('/api/fixture-pages/hello')
    assert.equal(response.status, 200)
    assert.deepEqual(await response.json(), { hello: 'from a plugin' })

    const edge = new Edge()
    host.mountViews(edge)
    const page = await edge.render('fixture-pages::hello', { name: 'Ada' })
    assert.equal(page.trim(), 'Hello Ada from fixture-pages')
    assert.deepEqual(host.navigation(), [
      { label: 'Fixture', href: '/admin/fixture-pages', plugin: 'fixture-pages' },
    ])
    assert.deepEqual(
      host.jobs().map((job) => [job.name, job.plugin]),
      [['fixture-pages:tick', 'fixture-pages']]
    )
  })

  test('a disabled plugin contributes nothing: its routes are 404', async ({ assert, cleanup }) => {
    const host = await hostFor([])
    const server = await serve(host)
    cleanup(() => server.close())

    const response = await server.get('/api/fixture-pages/hello')
    assert.equal(response.status, 404)
    const edge = new Edge()
    host.mountViews(edge)
    assert.notProperty(edge.loader.mounted, 'fixture-pages')
    assert.deepEqual(host.navigation(), [])
    assert.deepEqual(host.jobs(), [])
    assert.deepEqual(await host.commands(), [])
  })

  test('plugin pages are mounted under /admin behind the core panel guards, owner pages add the owner guard', async ({
    assert,
    cleanup,
  }) => {
    const server = await serve(await hostFor(['fixture-pages']))
    cleanup(() => server.close())

    const guardsOf = (pattern: string) => {
      const route = server.router.toJSON().root.find((candidate) => candidate.pattern === pattern)
      assert.exists(route, pattern)
      return [...route!.middleware.all()].map((entry) => (entry as { name?: string }).name)
    }
    const panel = panelGuards().map((entry) => entry.name)
    assert.deepEqual(panel, ['blockedIp', 'panel'])
    assert.includeOrderedMembers(guardsOf('/admin/fixture-pages'), panel)
    assert.notInclude(guardsOf('/admin/fixture-pages'), 'owner')
    assert.includeOrderedMembers(guardsOf('/admin/fixture-pages/settings'), [...panel, 'owner'])
    assert.notInclude(guardsOf('/api/fixture-pages/hello'), 'panel')
  })

  test('an old address of a plugin redirects permanently, path and query kept', async ({
    assert,
    cleanup,
  }) => {
    const server = await serve(await hostFor(['fixture-pages']))
    cleanup(() => server.close())

    const page = await fetch(server.url('/fixture-pages/old/12/edit?tab=notes&x=%C3%A4'), {
      redirect: 'manual',
    })
    assert.equal(page.status, 301)
    assert.equal(page.headers.get('location'), '/admin/fixture-pages/12/edit?tab=notes&x=%C3%A4')

    const root = await fetch(server.url('/fixture-pages/old'), { redirect: 'manual' })
    assert.equal(root.status, 301)
    assert.equal(root.headers.get('location'), '/admin/fixture-pages')

    const form = await fetch(server.url('/fixture-pages/old/12'), {
      method: 'POST',
      redirect: 'manual',
    })
    assert.equal(form.status, 308, 'a form posted to the old address keeps its method and body')
    assert.equal(form.headers.get('location'), '/admin/fixture-pages/12')
  })

  test('a plugin menu entry outside the panel is refused', ({ assert }) => {
    const base = { kind: 'feature' as const, version: '1.0.0', description: 'x' }
    assert.throws(
      () => definePlugin({ ...base, name: 'stray', nav: [{ label: 'Out', href: '/stray' }] }),
      /must point into the panel \(\/admin\/...\), not to \/stray/
    )
    assert.doesNotThrow(() =>
      definePlugin({ ...base, name: 'inside', nav: [{ label: 'In', href: '/admin/inside' }] })
    )
  })

  test('an unknown plugin name fails with the installed names', async ({ assert }) => {
    const host = await hostFor(['fixture-pages', 'no-such-plugin'])
    assert.throws(() => host.assertConfigValid(), /Unknown plugin "no-such-plugin"/)
    try {
      host.assertConfigValid()
    } catch (error) {
      assert.instanceOf(error, UnknownPluginError)
      assert.include((error as Error).message, 'fixture-pages')
    }
  })

  test('definePlugin refuses declarations the host could not use', ({ assert }) => {
    const base = { kind: 'feature' as const, version: '1.0.0', description: 'x' }
    assert.throws(() => definePlugin({ ...base, name: 'Not Kebab' }), /kebab-case/)
    assert.throws(
      () => definePlugin({ ...base, name: 'policy-x', kind: 'session-policy' }),
      /without sessionPolicy/
    )
    assert.throws(
      () =>
        definePlugin({
          ...base,
          name: 'jobs-x',
          jobs: [
            { name: 'j', description: 'j', handler: async () => ({ default: async () => {} }) },
          ],
        }),
      /needs every or cron/
    )
  })

  test('migration:run takes the core, then every installed plugin, enabled or not', async ({
    assert,
    cleanup,
  }) => {
    const root = await mkdtemp(join(tmpdir(), 'keyward-plugins-'))
    cleanup(() => rm(root, { recursive: true, force: true }))
    for (const name of ['zeta-crm', 'alpha-gate', 'no-migrations']) {
      await mkdir(join(root, 'plugins', name), { recursive: true })
      await writeFile(join(root, 'plugins', name, 'plugin.ts'), '')
      if (name !== 'no-migrations') {
        await mkdir(join(root, 'plugins', name, 'database', 'migrations'), { recursive: true })
      }
    }
    // A folder without plugin.ts is not a plugin.
    await mkdir(join(root, 'plugins', 'stray', 'database', 'migrations'), { recursive: true })

    assert.deepEqual(pluginMigrationPaths(root), [
      'plugins/alpha-gate/database/migrations',
      'plugins/zeta-crm/database/migrations',
    ])
    const paths = app.config.get<string[]>('database.connections.postgres.migrations.paths')
    assert.equal(paths[0], 'database/migrations')
  })

  test('the app runs the configured plugins and their policies', async ({ assert }) => {
    const host = await app.container.make(PluginHost)
    assert.deepEqual(
      host.enabled().map((plugin) => plugin.name),
      [
        'session-single',
        'session-concurrent',
        'session-resumable',
        'version-gate',
        'lead-crm',
        'notifications',
        'resource-pools',
      ]
    )
    const registry = await app.container.make(SessionPolicyRegistry)
    assert.sameMembers(registry.names(), ['single', 'concurrent', 'resumable'])
    assert.isTrue((await app.container.make(ClientConfigRegistry)).active)
    assert.equal(host.pluginForPolicy('resumable')?.name, 'session-resumable')
  })
})
