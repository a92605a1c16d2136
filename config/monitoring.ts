import env from '#start/env'
import metricsConfig from '#config/metrics'

/**
 * The panel's monitoring page (docs/operations.md, "Monitoring page").
 *
 * Every web process samples its own HTTP metrics every
 * `sampleIntervalSeconds` and adds them into shared time buckets in Redis;
 * the page sums the buckets of all processes. Sampling runs in web
 * processes only, and only while metrics are on (`METRICS_ENABLED`): with
 * metrics off there is nothing to sample, and the page says so.
 */

const sampleIntervalSeconds = env.get('MONITORING_SAMPLE_INTERVAL', 10)
if (!(sampleIntervalSeconds >= 1 && sampleIntervalSeconds <= 60)) {
  throw new Error(`MONITORING_SAMPLE_INTERVAL (${sampleIntervalSeconds}) must be 1 to 60 seconds`)
}

const monitoringConfig = {
  /** Off with METRICS_ENABLED=false: no sampler, the charts stay empty. */
  enabled: metricsConfig.enabled,
  /**
   * Seconds between two samples of a process, and between two refreshes of
   * an open page (MONITORING_SAMPLE_INTERVAL, default 10).
   */
  sampleIntervalSeconds,
  /** Width of one point of the charts, in seconds. */
  bucketSeconds: 60,
  /** What the charts show (and how long Redis keeps the buckets), in minutes. */
  windowMinutes: 60,
  /** The cards' request figures cover the last this many minutes. */
  summaryMinutes: 5,
  /** Redis keys start with this (after REDIS_KEY_PREFIX). */
  namespace: 'monitoring',
  /** How long a status probe (database, Redis, queue) may take before it counts as down. */
  probeTimeoutMs: 2000,
}

export default monitoringConfig
