import app from '@adonisjs/core/services/app'
import env from '#start/env'
import backupsConfig from '#config/backups'

/**
 * Prometheus metrics (docs/operations.md, "Metrics"). Who may read them
 * (`METRICS_TOKEN`, `METRICS_ALLOW`) is the operator rule of
 * app/support/operator_access.ts, shared with the full readiness report.
 */

const jobsPort = env.get('JOBS_METRICS_PORT')
if (jobsPort !== undefined && (!Number.isInteger(jobsPort) || jobsPort < 1 || jobsPort > 65535)) {
  throw new Error(`JOBS_METRICS_PORT must be a port number from 1 to 65535 (got ${jobsPort})`)
}

const metricsConfig = {
  /** `METRICS_ENABLED=false`: no `/metrics` route (404) and no instrumentation. */
  enabled: env.get('METRICS_ENABLED', true),
  /** The job worker's own `/metrics` listener; unset, the worker listens on nothing. */
  jobsPort: jobsPort ?? null,
  /** The address the job worker's listener binds to (every interface, like the web server's default). */
  jobsHost: env.get('HOST', '0.0.0.0'),
  /** How often the job worker says it is alive (WorkerPresence), in ms. */
  workerBeatMs: 5000,
  /**
   * Gauges computed at scrape time (database, Redis, queue, backups, disk)
   * reuse their last value this long (ms), so that several scrapers or a
   * short scrape interval do not multiply the queries.
   */
  gaugeCacheMs: 5000,
  /** No gauge's probe may hold a scrape longer than this (ms): a hung database reads as down. */
  probeTimeoutMs: 1000,
  /** The folders whose disks are reported (`keyward_disk_*_bytes{path}`). */
  diskPaths: [...new Set([app.makePath('storage'), backupsConfig.dir])],
}

export type MetricsConfig = typeof metricsConfig

export default metricsConfig
