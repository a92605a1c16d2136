import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import type monitoringConfig from '#config/monitoring'
import { Clock } from '#support/clock'
import MonitoringFigures, { type PointInTimeFigures } from './figures.js'
import { type HttpPoint, type HttpSummary, pointsOf, summaryOf } from './http_series.js'
import MonitoringStore from './store.js'

export interface HttpFigures {
  bucketSeconds: number
  windowMinutes: number
  /** One point per bucket of the window, oldest first; the last is the bucket under way. */
  points: HttpPoint[]
  /** The last `summaryMinutes` (the cards). */
  recent: HttpSummary & { minutes: number }
  /** The whole window. */
  window: HttpSummary
  /** Web processes that sampled within the last three intervals. */
  processes: { id: string; at: string }[]
}

export interface MonitoringData extends PointInTimeFigures {
  /** False with METRICS_ENABLED=false: nothing is sampled. */
  sampling: boolean
  /** Null while the request figures cannot be read (Redis away). */
  http: HttpFigures | null
}

/**
 * Everything the monitoring page shows, for the whole installation: the
 * request figures of all web processes (summed from the shared buckets)
 * and the figures of the moment.
 */
@inject()
export default class MonitoringReport {
  constructor(
    protected store: MonitoringStore,
    protected figures: MonitoringFigures,
    protected clock: Clock
  ) {}

  protected get config() {
    return app.config.get<typeof monitoringConfig>('monitoring')
  }

  async current(): Promise<MonitoringData> {
    const [figures, http] = await Promise.all([
      this.figures.current(),
      this.http().catch(() => null),
    ])
    return { ...figures, sampling: this.config.enabled, http }
  }

  async http(): Promise<HttpFigures> {
    const now = this.clock.now().toMillis()
    const { bucketSeconds, windowMinutes, summaryMinutes, sampleIntervalSeconds } = this.config
    const bucketMs = this.store.bucketMs
    const count = Math.ceil((windowMinutes * 60) / bucketSeconds)
    const last = this.store.bucketStart(now)
    const recentCount = Math.max(1, Math.ceil((summaryMinutes * 60) / bucketSeconds))
    const intervalMs = sampleIntervalSeconds * 1000
    // Two independent reads of Redis, on every poll of every open page.
    const [buckets, processes] = await Promise.all([
      this.store.buckets(last - (count - 1) * bucketMs, now),
      this.store.processes(now - 3 * intervalMs, now),
    ])
    return {
      bucketSeconds,
      windowMinutes,
      points: pointsOf(buckets, bucketMs, now, intervalMs),
      recent: {
        minutes: summaryMinutes,
        ...summaryOf(buckets.slice(-recentCount), bucketMs, now, intervalMs),
      },
      window: summaryOf(buckets, bucketMs, now, intervalMs),
      processes: processes.map(({ id, at }) => ({ id, at: at.toISOString() })),
    }
  }
}
