import type { ApplicationService } from '@adonisjs/core/types'
import PluginHost from '#plugin_host/plugin_host'
import { ClientConfigRegistry } from '#services/client_config'
import VersionGate from './gate.js'

export interface VersionGateSettings extends Record<string, unknown> {
  /** How long heartbeats may use a cached configuration, in seconds (default 5). */
  noticeCacheSeconds: number
}

export default class VersionGateProvider {
  constructor(protected app: ApplicationService) {}

  async register() {
    const host = await this.app.container.make(PluginHost)
    const seconds = host.settings<VersionGateSettings>('version-gate').noticeCacheSeconds ?? 5
    if (typeof seconds !== 'number' || !(seconds >= 0 && seconds <= 3600)) {
      throw new Error(
        `config/plugins.ts: settings['version-gate'].noticeCacheSeconds must be a number ` +
          `of seconds from 0 to 3600, not ${JSON.stringify(seconds)}`
      )
    }
    const gate = new VersionGate(seconds * 1000)
    this.app.container.bindValue(VersionGate, gate)
    const registry = await this.app.container.make(ClientConfigRegistry)
    registry.register(gate)
  }
}
