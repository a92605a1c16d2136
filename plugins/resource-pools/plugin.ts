import { definePlugin } from '#plugin_host/define_plugin'
import { defineConfig } from './define_config.js'

export default definePlugin({
  name: 'resource-pools',
  kind: 'feature',
  version: '1.0.0',
  description:
    'Pools of domains, IPv4 addresses, phone numbers (and configured types) allocated to ' +
    'licenses: all-or-nothing allocation, quarantine, swaps, history; the resources in ' +
    'verify, session start and the lease.',
  defineConfig,
  provider: () => import('./provider.js'),
  routes: () => import('./routes.js'),
  views: new URL('./views/', import.meta.url),
  uploadRoutes: ['/admin/resources/add'],
  jobs: [
    {
      name: 'resource-pools:return-quarantined',
      description: 'Frees quarantined resources whose cool-down has passed',
      every: '1h',
      handler: () => import('./jobs/return_quarantined.js'),
    },
    {
      name: 'resource-pools:reconcile',
      description: 'Releases the resources of revoked and deleted licenses',
      every: '1h',
      handler: () => import('./jobs/reconcile.js'),
    },
  ],
  commands: [
    () => import('./commands/resource_add.js'),
    () => import('./commands/resource_list.js'),
    () => import('./commands/resource_allocate.js'),
    () => import('./commands/resource_release.js'),
    () => import('./commands/resource_stats.js'),
  ],
  nav: [{ label: 'resource_pools.nav', href: '/admin/resources' }],
})
