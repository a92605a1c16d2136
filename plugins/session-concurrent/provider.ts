import type { ApplicationService } from '@adonisjs/core/types'
import PluginHost from '#plugin_host/plugin_host'
import { SessionPolicyRegistry } from '#services/session_policies'
import ConcurrentSessionPolicy, { ON_LIMIT, type OnLimit } from './policy.js'

export default class SessionConcurrentProvider {
  constructor(protected app: ApplicationService) {}

  async register() {
    const host = await this.app.container.make(PluginHost)
    const onLimit = host.settings<{ onLimit: OnLimit }>('session-concurrent').onLimit ?? 'deny'
    if (!ON_LIMIT.includes(onLimit)) {
      throw new Error(
        `config/plugins.ts: settings['session-concurrent'].onLimit must be one of ` +
          `${ON_LIMIT.join(', ')}, not "${onLimit}"`
      )
    }
    const registry = await this.app.container.make(SessionPolicyRegistry)
    registry.register(new ConcurrentSessionPolicy(onLimit))
  }
}
