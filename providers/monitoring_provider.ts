import type { ApplicationService } from '@adonisjs/core/types'
import type monitoringConfig from '#config/monitoring'
import Metrics from '#services/metrics'
import MonitoringSampler from '#services/monitoring/sampler'
import MonitoringStore from '#services/monitoring/store'
import ServiceHealth from '#services/service_health'

/**
 * The monitoring page's parts: the shared store of request figures and this
 * process's sampler, which reads the process's metrics registry
 * (app/services/metrics.ts; the queue-depth reader comes from its provider). The sampler runs in web
 * processes only (not in ace commands, the job worker or tests, which call
 * `sample()` themselves), and only while metrics are on; it stops when the
 * process shuts down.
 */
export default class MonitoringProvider {
  constructor(protected app: ApplicationService) {}

  protected get config() {
    return this.app.config.get<typeof monitoringConfig>('monitoring')
  }

  register() {
    this.app.container.singleton(MonitoringStore, async (resolver) => {
      const { namespace, bucketSeconds, windowMinutes } = this.config
      return new MonitoringStore(await resolver.make('redis'), {
        namespace,
        bucketSeconds,
        windowSeconds: windowMinutes * 60,
      })
    })
    this.app.container.singleton(MonitoringSampler, async (resolver) => {
      const [metrics, store, health, logger] = await Promise.all([
        resolver.make(Metrics),
        resolver.make(MonitoringStore),
        resolver.make(ServiceHealth),
        resolver.make('logger'),
      ])
      let failing = false
      return new MonitoringSampler(metrics.registry, store, {
        intervalMs: this.config.sampleIntervalSeconds * 1000,
        redisDown: () => health.isDown('redis'),
        // Once per run of failures, not every few seconds.
        onError: (error) => {
          if (failing) return
          failing = true
          logger.warn({ err: error }, 'monitoring: a sample could not be written; retrying')
          setTimeout(() => (failing = false), 60_000).unref()
        },
      })
    })
  }

  async ready() {
    if (this.app.getEnvironment() !== 'web' || !this.config.enabled) return
    const sampler = await this.app.container.make(MonitoringSampler)
    sampler.start()
  }

  async shutdown() {
    // Only a process that started sampling has anything to stop.
    if (this.app.getEnvironment() === 'web' && this.config.enabled) {
      const sampler = await this.app.container.make(MonitoringSampler)
      await sampler.stop()
    }
  }
}
