import type { ApplicationService } from '@adonisjs/core/types'
import type { MetricsConfig } from '#config/metrics'
import type redisConfig from '#config/redis'
import Metrics from '#services/metrics'
import QueueDepth from '#services/queue_depth'
import ServiceHealth from '#services/service_health'
import { Clock } from '#support/clock'

/**
 * The process' metrics registry (app/services/metrics.ts), one singleton.
 * A web process (and the test run's in-process server) also collects the
 * default process metrics and registers the gauges read at scrape time;
 * ace commands only get the counters, which cost nothing until something
 * records. The job worker serves a registry of its own (jobs:work).
 */
export default class MetricsProvider {
  constructor(protected app: ApplicationService) {}

  protected get config() {
    return this.app.config.get<MetricsConfig>('metrics')
  }

  register() {
    this.app.container.singleton(Metrics, () => new Metrics({ enabled: this.config.enabled }))
    // One reader of the queue's counts per process: the gauges and the monitoring page share it.
    this.app.container.singleton(
      QueueDepth,
      () => new QueueDepth(this.app.config.get<typeof redisConfig>('redis'))
    )
  }

  /**
   * At boot, before the HTTP server listens: a scrape that comes as soon as
   * the port answers finds every metric already there.
   */
  async boot() {
    const environment = this.app.getEnvironment()
    if (!this.config.enabled || (environment !== 'web' && environment !== 'test')) return
    const metrics = await this.app.container.make(Metrics)
    metrics.collectDefaults()
    const { registerSystemGauges } = await import('#services/metrics/system_gauges')
    const [db, redis, health, queueDepth] = await Promise.all([
      this.app.container.make('lucid.db'),
      this.app.container.make('redis'),
      this.app.container.make(ServiceHealth),
      this.app.container.make(QueueDepth),
    ])
    const { registerReadinessGauge } = await import('#services/readiness/readiness_gauge')
    registerReadinessGauge(metrics.registry)
    registerSystemGauges(metrics.registry, {
      db,
      redis,
      health,
      queueDepth,
      config: this.config,
      now: async () => {
        const clock = await this.app.container.make(Clock)
        return clock.now().toJSDate()
      },
    })
  }

  async shutdown() {
    const queueDepth = await this.app.container.make(QueueDepth)
    await queueDepth.close()
  }
}
