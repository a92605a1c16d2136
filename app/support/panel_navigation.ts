import type { NavItem } from '#plugin_host/define_plugin'

/**
 * The core's panel menu. Plugins add their entries through the plugin host
 * (`nav` in `definePlugin`); labels are translation keys.
 */
export const CORE_NAVIGATION: NavItem[] = [
  { label: 'panel.nav.dashboard', href: '/admin' },
  { label: 'panel.nav.customers', href: '/admin/customers' },
  { label: 'panel.nav.products', href: '/admin/products' },
  { label: 'panel.nav.licenses', href: '/admin/licenses' },
  { label: 'panel.nav.sessions', href: '/admin/sessions' },
  { label: 'panel.nav.api_keys', href: '/admin/api-keys' },
  { label: 'panel.nav.audit', href: '/admin/audit' },
  { label: 'panel.nav.plugins', href: '/admin/plugins' },
  { label: 'panel.nav.admins', href: '/admin/admins', ownerOnly: true },
  { label: 'panel.nav.blocked_ips', href: '/admin/blocked-ips' },
]

/**
 * The entry a path belongs to: the longest `href` that prefixes it, so
 * `/admin/licenses/12` lights up "Licenses" and `/admin` only itself.
 */
export function activeEntry(items: NavItem[], path: string) {
  let best: NavItem | undefined
  for (const item of items) {
    const matches = item.href === '/admin' ? path === '/admin' : path.startsWith(item.href)
    if (matches && (!best || item.href.length > best.href.length)) best = item
  }
  return best?.href
}
