import { definePlugin } from '#plugin_host/define_plugin'
import { defineConfig } from './define_config.js'

export default definePlugin({
  name: 'notifications',
  kind: 'feature',
  version: '1.0.0',
  description:
    'Webhooks (signed with HMAC-SHA256 and Ed25519, retried for a day) and e-mail to ' +
    'subscribed admins when licenses, limits, alerts, backups or the job worker need attention.',
  provider: () => import('./provider.js'),
  routes: () => import('./routes.js'),
  views: new URL('./views/', import.meta.url),
  defineConfig,
  jobs: [
    {
      name: 'notifications:webhook',
      description: 'Send one attempt of a webhook delivery (enqueued with its retry delay)',
      manual: true,
      handler: () => import('./jobs/deliver_webhook.js'),
    },
    {
      name: 'notifications:email',
      description: 'Send a notification e-mail to a subscribed admin (enqueued)',
      manual: true,
      handler: () => import('./jobs/send_email.js'),
    },
    {
      name: 'notifications:expiry',
      description: 'Announce licenses expiring soon and just expired; prune old events',
      cron: '23 6 * * *',
      handler: () => import('./jobs/watch_expiry.js'),
    },
    {
      name: 'notifications:health',
      description: 'Announce an overdue backup or a silent job worker; requeue overdue deliveries',
      every: '5m',
      handler: () => import('./jobs/watch_health.js'),
    },
  ],
  nav: [
    { label: 'notifications.nav_webhooks', href: '/admin/notifications/webhooks', ownerOnly: true },
    { label: 'notifications.nav_email', href: '/admin/notifications/email' },
  ],
})
