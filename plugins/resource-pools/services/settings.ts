import { type PluginHost } from '#plugin_host/api'
import {
  BUILT_IN_TYPES,
  type defineConfig,
  type ResourcePoolsConfig,
  type ResourceTypeConfig,
} from '../define_config.js'

export const PLUGIN_NAME = 'resource-pools'

/**
 * The plugin's settings (config/plugins.ts), one instance per process (a
 * container singleton bound by the provider).
 */
export default class PoolsSettings {
  constructor(readonly config: ResourcePoolsConfig) {}

  static fromHost(host: PluginHost) {
    return new PoolsSettings(host.configOf<typeof defineConfig>(PLUGIN_NAME))
  }

  /** The type names, built-in first, in the order clients get them. */
  get typeNames() {
    return Object.keys(this.config.types)
  }

  /** Each type's name as the panel shows it: translated for the built-in ones. */
  labels(i18n: { t(key: string): string }): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this.config.types).map(([type, settings]) => [
        type,
        (BUILT_IN_TYPES as readonly string[]).includes(type)
          ? i18n.t(`resource_pools.types.${type}`)
          : settings.label,
      ])
    )
  }

  typeOf(name: string): ResourceTypeConfig | undefined {
    return this.config.types[name]
  }
}
