import type { ApplicationService } from '@adonisjs/core/types'
import { SessionPolicyRegistry } from '#plugin_host/api'
import SingleSessionPolicy from './policy.js'

export default class SessionSingleProvider {
  constructor(protected app: ApplicationService) {}

  async register() {
    const registry = await this.app.container.make(SessionPolicyRegistry)
    registry.register(new SingleSessionPolicy())
  }
}
