import type { ApplicationService } from '@adonisjs/core/types'
import { loadDefault, type PluginProvider, type PluginsConfig } from '#plugin_host/define_plugin'
import PluginHost, { discoverPlugins } from '#plugin_host/plugin_host'
import { SessionPolicyRegistry } from '#services/session_policies'
import { ClientConfigRegistry } from '#services/client_config'
import { ClientResponseExtensions } from '#services/client_response_extensions'
import { PanelExtensions } from '#services/panel_extensions'

/**
 * Discovers the installed plugins, checks `config/plugins.ts` against them,
 * and runs the enabled plugins' providers inside the app's own lifecycle.
 * The core never imports a plugin: everything arrives through here.
 */
export default class PluginHostProvider {
  #pluginProviders: PluginProvider[] = []

  constructor(protected app: ApplicationService) {}

  register() {
    const config = this.app.config.get<PluginsConfig>('plugins')
    this.app.container.singleton(
      SessionPolicyRegistry,
      () => new SessionPolicyRegistry(config.defaultSessionPolicy)
    )
    this.app.container.singleton(ClientConfigRegistry, () => new ClientConfigRegistry())
    this.app.container.singleton(ClientResponseExtensions, () => new ClientResponseExtensions())
    this.app.container.singleton(PanelExtensions, () => new PanelExtensions())
  }

  async boot() {
    const config = this.app.config.get<PluginsConfig>('plugins')
    const host = new PluginHost(await discoverPlugins(this.app.makePath('plugins')), config)
    host.assertConfigValid()
    host.resolveConfigs()
    this.app.container.bindValue(PluginHost, host)

    for (const plugin of host.enabled()) {
      if (!plugin.provider) continue
      const Provider = await loadDefault(plugin.provider)
      this.#pluginProviders.push(new Provider(this.app))
    }
    for (const provider of this.#pluginProviders) await provider.register?.()
    for (const provider of this.#pluginProviders) await provider.boot?.()

    const { default: edge } = await import('edge.js')
    host.mountViews(edge)

    const registry = await this.app.container.make(SessionPolicyRegistry)
    registry.assertDeclaredPoliciesRegistered(host.enabled())
    registry.assertDefaultAvailable()
  }

  async start() {
    for (const provider of this.#pluginProviders) await provider.start?.()
  }

  async ready() {
    for (const provider of this.#pluginProviders) await provider.ready?.()
  }

  async shutdown() {
    for (const provider of this.#pluginProviders) await provider.shutdown?.()
  }
}
