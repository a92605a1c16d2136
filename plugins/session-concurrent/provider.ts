import type { ApplicationService } from '@adonisjs/core/types'
import { PluginHost, SessionPolicyRegistry } from '#plugin_host/api'
import type { defineConfig } from './define_config.js'
import ConcurrentSessionPolicy from './policy.js'

export default class SessionConcurrentProvider {
  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton(ConcurrentSessionPolicy, async (resolver) => {
      const host = await resolver.make(PluginHost)
      return new ConcurrentSessionPolicy(
        host.configOf<typeof defineConfig>('session-concurrent').onLimit
      )
    })
  }

  async boot() {
    const registry = await this.app.container.make(SessionPolicyRegistry)
    registry.register(await this.app.container.make(ConcurrentSessionPolicy))
  }
}
