import { definePlugin } from '#plugin_host/define_plugin'

export default definePlugin({
  name: 'lead-crm',
  kind: 'feature',
  version: '1.0.0',
  description:
    'Sales leads: institutions with contacts, versioned notes, tags and an activity timeline; ' +
    'CSV export and import; conversion of won institutions into customers.',
  provider: () => import('./provider.js'),
  routes: () => import('./routes.js'),
  views: new URL('./views/', import.meta.url),
  uploadRoutes: ['/admin/leads/import'],
  nav: [
    { label: 'lead_crm.nav', href: '/admin/leads' },
    { label: 'lead_crm.nav_stats', href: '/admin/leads/stats' },
  ],
})
