import env from '#start/env'

/**
 * The panel's monitoring page (docs/operations.md, "Monitoring page").
 *
 * Every web process samples its own HTTP metrics every
 * `sampleIntervalSeconds` and adds them into shared time buckets in Redis;
 * the page sums the buckets of all processes. Sampling runs in web
 * processes only, and only while metrics are on (`METRICS_ENABLED`): with
 * metrics off there is nothing to sample, and the page says so.
 */

const DURATION = /^([1-9][0-9]*)(s|m|h|d)$/
const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 }

/** Seconds in `30s`, `2m`, `26h` or `1d` (the form of the HEALTH_* durations). */
function seconds(name: string, text: string) {
  const match = DURATION.exec(text.trim())
  if (!match) throw new Error(`${name} "${text}" is not a duration: use e.g. 90s, 2m, 26h or 1d`)
  return Number(match[1]) * UNIT_SECONDS[match[2]]
}

const monitoringConfig = {
  /** Off with METRICS_ENABLED=false: no sampler, the charts stay empty. */
  enabled: env.get('METRICS_ENABLED', true),
  /** Seconds between two samples of a process (and between two refreshes of an open page). */
  sampleIntervalSeconds: 10,
  /** Width of one point of the charts, in seconds. */
  bucketSeconds: 60,
  /** What the charts show (and how long Redis keeps the buckets), in minutes. */
  windowMinutes: 60,
  /** The cards' request figures cover the last this many minutes. */
  summaryMinutes: 5,
  /** Redis keys start with this (after REDIS_KEY_PREFIX). */
  namespace: 'monitoring',
  /** A job worker silent for longer is shown as down (as the readiness check judges it). */
  maxWorkerSilenceSeconds: seconds(
    'HEALTH_MAX_WORKER_SILENCE',
    env.get('HEALTH_MAX_WORKER_SILENCE', '2m')
  ),
  /** A last successful backup older than this is shown as too old. */
  maxBackupAgeSeconds: seconds('HEALTH_MAX_BACKUP_AGE', env.get('HEALTH_MAX_BACKUP_AGE', '26h')),
  /** How long a status probe (database, Redis, queue) may take before it counts as down. */
  probeTimeoutMs: 2000,
}

export default monitoringConfig
