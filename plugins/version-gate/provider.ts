import type { ApplicationService } from '@adonisjs/core/types'
import { ClientConfigRegistry, PluginHost } from '#plugin_host/api'
import type { defineConfig } from './define_config.js'
import VersionGate from './gate.js'

export default class VersionGateProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton(VersionGate, async (resolver) => {
      const host = await resolver.make(PluginHost)
      return new VersionGate(host.configOf<typeof defineConfig>('version-gate').noticeCacheMs)
    })
  }

  async boot() {
    const registry = await this.app.container.make(ClientConfigRegistry)
    registry.register(await this.app.container.make(VersionGate))
  }
}
