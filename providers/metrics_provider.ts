import type { ApplicationService } from '@adonisjs/core/types'
import type { MetricsConfig } from '#config/metrics'
import type redisConfig from '#config/redis'
import Metrics from '#services/metrics'
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
  #gauges?: { close(): Promise<void> }

  constructor(protected app: ApplicationService) {}

  protected get config() {
    return this.app.config.get<MetricsConfig>('metrics')
  }

  register() {
    this.app.container.singleton(Metrics, () => new Metrics({ enabled: this.config.enabled }))
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
    const [db, redis, health] = await Promise.all([
      this.app.container.make('lucid.db'),
      this.app.container.make('redis'),
      this.app.container.make(ServiceHealth),
    ])
    const { registerReadinessGauge } = await import('#services/readiness/readiness_gauge')
    registerReadinessGauge(metrics.registry)
    this.#gauges = registerSystemGauges(metrics.registry, {
      db,
      redis,
      health,
      redisConfig: this.app.config.get<typeof redisConfig>('redis'),
      config: this.config,
      now: async () => {
        const clock = await this.app.container.make(Clock)
        return clock.now().toJSDate()
      },
    })
  }

  async shutdown() {
    await this.#gauges?.close()
  }
}
