import { test } from '@japa/runner'
import { hostWith, serveHost } from '#tests/support/plugin_server'

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

test.group('version-gate: enabling and disabling', () => {
  test('enabled, it mounts its API and panel routes and a menu entry', async ({ assert }) => {
    const host = await hostWith(['session-resumable', 'version-gate'])
    const server = await serveHost(host)
    const router = server.router
    for (const [method, path] of PLUGIN_ROUTES) {
      assert.isNotNull(router.match(path, method, false), `${method} ${path}`)
    }
    await server.close()
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
    const server = await serveHost(host)
    cleanup(() => server.close())

    for (const [method, path] of PLUGIN_ROUTES) {
      const response = await server.request(path, method)
      assert.equal(response.status, 404, `${method} ${path}`)
    }
    assert.notInclude(
      host.navigation().map((item) => item.href),
      '/admin/client-config'
    )
  })
})
