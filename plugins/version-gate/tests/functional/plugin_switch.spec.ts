import { createServer, type Server as NodeServer } from 'node:http'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { ServerFactory } from '@adonisjs/core/factories/http'
import { definePluginsConfig } from '#plugin_host/define_plugin'
import PluginHost, { discoverPlugins } from '#plugin_host/plugin_host'

const PLUGIN_ROUTES = [
  ['POST', '/api/version/check'],
  ['GET', '/api/version/latest'],
  ['GET', '/admin/client-config'],
  ['GET', '/admin/client-config/new'],
  ['GET', '/admin/client-config/1'],
  ['POST', '/admin/client-config/1'],
  ['GET', '/lizenzserver/config/client'],
  ['GET', '/lizenzserver/config/client/new'],
] as const

/** The installed plugins (the real plugins/ folder) with some enabled. */
async function hostWith(enabled: string[]) {
  const installed = await discoverPlugins(app.makePath('plugins'))
  return new PluginHost(installed, definePluginsConfig({ enabled }))
}

async function routerOf(host: PluginHost) {
  const server = new ServerFactory().merge({ app }).create()
  await host.mountRoutes(server.getRouter())
  await server.boot()
  return server
}

test.group('version-gate: enabling and disabling', () => {
  test('enabled, it mounts its API and panel routes and a menu entry', async ({ assert }) => {
    const host = await hostWith(['session-resumable', 'version-gate'])
    const router = (await routerOf(host)).getRouter()
    for (const [method, path] of PLUGIN_ROUTES) {
      assert.isNotNull(router.match(path, method, false), `${method} ${path}`)
    }
    assert.deepInclude(host.navigation(), {
      label: 'version_gate.nav',
      href: '/admin/client-config',
      plugin: 'version-gate',
    })
  })

  test('disabled, its routes answer 404 and its menu entry is gone', async ({
    assert,
    cleanup,
  }) => {
    const host = await hostWith(['session-resumable'])
    const server = await routerOf(host)
    const http: NodeServer = createServer(server.handle.bind(server))
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    cleanup(() => new Promise<void>((resolve) => http.close(() => resolve())))
    const { port } = http.address() as { port: number }

    for (const [method, path] of PLUGIN_ROUTES) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { method })
      assert.equal(response.status, 404, `${method} ${path}`)
    }
    assert.notInclude(
      host.navigation().map((item) => item.href),
      '/admin/client-config'
    )
  })
})
