import { urlFor } from '@adonisjs/core/services/url_builder'
import type { NavItem } from '#plugin_host/define_plugin'

/**
 * The core's panel menu, built from the named routes. Plugins add their
 * entries through the plugin host (`nav` in `definePlugin`); labels are
 * translation keys.
 */
export function coreNavigation(): NavItem[] {
  return [
    { label: 'panel.nav.dashboard', href: urlFor('admin.dashboard.show') },
    { label: 'panel.nav.monitoring', href: urlFor('admin.monitoring.show') },
    { label: 'panel.nav.customers', href: urlFor('admin.customers.index') },
    { label: 'panel.nav.products', href: urlFor('admin.products.index') },
    { label: 'panel.nav.licenses', href: urlFor('admin.licenses.index') },
    { label: 'panel.nav.analytics', href: urlFor('admin.analytics.index') },
    { label: 'panel.nav.sessions', href: urlFor('admin.sessions.index') },
    { label: 'panel.nav.security', href: urlFor('admin.security_alerts.index') },
    { label: 'panel.nav.api_keys', href: urlFor('admin.api_keys.index') },
    { label: 'panel.nav.audit', href: urlFor('admin.audit.index') },
    { label: 'panel.nav.plugins', href: urlFor('admin.plugins.index') },
    { label: 'panel.nav.admins', href: urlFor('admin.admins.index'), ownerOnly: true },
    { label: 'panel.nav.backups', href: urlFor('admin.backups.index'), ownerOnly: true },
    { label: 'panel.nav.blocked_ips', href: urlFor('admin.blocked_ips.index') },
  ]
}

/**
 * The entry a path belongs to: the longest `href` that prefixes it, so
 * `/admin/licenses/12` lights up "Licenses" and the dashboard only itself.
 */
export function activeEntry(items: NavItem[], path: string) {
  const dashboard = urlFor('admin.dashboard.show')
  let best: NavItem | undefined
  for (const item of items) {
    const matches = item.href === dashboard ? path === dashboard : path.startsWith(item.href)
    if (matches && (!best || item.href.length > best.href.length)) best = item
  }
  return best?.href
}
