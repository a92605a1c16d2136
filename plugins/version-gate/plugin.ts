import { definePlugin } from '#plugin_host/define_plugin'
import { defineConfig } from './define_config.js'

export default definePlugin({
  name: 'version-gate',
  kind: 'feature',
  version: '1.0.0',
  description:
    'Client configuration per product: current and minimum versions, update notices, ' +
    'heartbeat settings and the session-limit message.',
  defineConfig,
  provider: () => import('./provider.js'),
  routes: () => import('./routes.js'),
  views: new URL('./views/', import.meta.url),
  commands: [() => import('./commands/version_publish.js')],
  nav: [{ label: 'version_gate.nav', href: '/admin/client-config' }],
})
