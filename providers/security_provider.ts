import type { ApplicationService } from '@adonisjs/core/types'
import type securityConfig from '#config/security'
import { SecurityEventRecorder } from '#services/security/security_event_recorder'
import { BlockedIpCache } from '#services/security/blocked_ip_cache'
import ServiceHealth from '#services/service_health'

/**
 * The per-process parts of security events: the recorder's buffer and the
 * client API's copy of the blocked-IP list. Both start on first use (a
 * command or the job worker that never records nor serves the API opens
 * nothing); at shutdown the buffer is written and the refresh timer stopped.
 */
export default class SecurityProvider {
  constructor(protected app: ApplicationService) {}

  protected get config() {
    return this.app.config.get<typeof securityConfig>('security')
  }

  register() {
    this.app.container.singleton(SecurityEventRecorder, () => {
      const { recording, flushIntervalMs, flushBatch, maxBuffered } = this.config
      return new SecurityEventRecorder({ recording, flushIntervalMs, flushBatch, maxBuffered })
    })
    this.app.container.singleton(
      BlockedIpCache,
      async (resolver) =>
        new BlockedIpCache(await resolver.make(ServiceHealth), this.config.blockedIpRefreshMs)
    )
  }

  async shutdown() {
    const recorder = await this.app.container.make(SecurityEventRecorder)
    await recorder.close()
    const cache = await this.app.container.make(BlockedIpCache)
    cache.stop()
  }
}
