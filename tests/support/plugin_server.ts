import { createServer, type Server as NodeServer } from 'node:http'
import app from '@adonisjs/core/services/app'
import { ServerFactory } from '@adonisjs/core/factories/http'
import { definePluginsConfig } from '#plugin_host/define_plugin'
import PluginHost, { discoverPlugins } from '#plugin_host/plugin_host'
import { middleware, panelGuards } from '#start/kernel'

/** A plugin host over the plugins in `folder` (default: the app's own) with some enabled. */
export async function hostWith(enabled: string[], folder = app.makePath('plugins')) {
  return new PluginHost(await discoverPlugins(folder), definePluginsConfig({ enabled }))
}

/**
 * A fresh HTTP server with only what the host mounts on its router, so a
 * test can see a plugin's routes come and go.
 */
export async function serveHost(host: PluginHost) {
  const server = new ServerFactory().merge({ app }).create()
  await host.mountRoutes(server.getRouter(), {
    panel: panelGuards(),
    owner: [middleware.owner()],
  })
  await server.boot()
  const http: NodeServer = createServer(server.handle.bind(server))
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  const address = http.address() as { port: number }
  return {
    router: server.getRouter(),
    url: (path: string) => `http://127.0.0.1:${address.port}${path}`,
    request: (path: string, method = 'GET') =>
      fetch(`http://127.0.0.1:${address.port}${path}`, { method }),
    get: (path: string) => fetch(`http://127.0.0.1:${address.port}${path}`),
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  }
}
