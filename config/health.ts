import app from '@adonisjs/core/services/app'
import string from '@adonisjs/core/helpers/string'
import env from '#start/env'
import { parseAllowList } from '#support/operator_access'

/**
 * Readiness (`GET /health/ready`, docs/operations.md "Health"). Every
 * threshold is checked here, when the configuration loads, so a typo stops
 * the boot with the variable's name instead of a probe that always fails.
 */

function duration(name: 'HEALTH_MAX_BACKUP_AGE' | 'HEALTH_MAX_WORKER_SILENCE', fallback: string) {
  const value = env.get(name, fallback)
  let milliseconds: number
  try {
    milliseconds = string.milliseconds.parse(value)
  } catch {
    milliseconds = Number.NaN
  }
  if (!Number.isFinite(milliseconds) || milliseconds <= 0) {
    throw new Error(`${name} must be a duration such as 26h, 90m or 2m (got "${value}")`)
  }
  return milliseconds
}

const diskMaxUsedPercent = env.get('HEALTH_DISK_MAX_USED_PERCENT', 90)
if (!Number.isFinite(diskMaxUsedPercent) || diskMaxUsedPercent <= 0 || diskMaxUsedPercent > 100) {
  throw new Error(
    `HEALTH_DISK_MAX_USED_PERCENT must be a percentage above 0, at most 100 (got ${diskMaxUsedPercent})`
  )
}

const heapSetting = env.get('HEALTH_HEAP_MAX', '1.5gb')
const heapMaxBytes = string.bytes.parse(heapSetting)
if (heapMaxBytes === null || !Number.isFinite(heapMaxBytes) || heapMaxBytes <= 0) {
  throw new Error(`HEALTH_HEAP_MAX must be a size such as 1.5gb or 800mb (got "${heapSetting}")`)
}

/**
 * Who gets the full report is the operator rule (app/support/operator_access.ts),
 * read on the first request; its address list is checked now, with the
 * rest of the configuration, so a malformed entry stops the boot by name.
 */
parseAllowList(env.get('METRICS_ALLOW', '127.0.0.1,::1'))

const healthConfig = {
  /** The last successful backup may be this old (ms) before readiness fails. */
  maxBackupAgeMs: duration('HEALTH_MAX_BACKUP_AGE', '26h'),
  /** A job worker must have beaten within this long (ms). */
  maxWorkerSilenceMs: duration('HEALTH_MAX_WORKER_SILENCE', '2m'),
  /** Readiness fails when the storage or backup disk is fuller than this (percent used). */
  diskMaxUsedPercent,
  /** ... and warns this many points before. */
  diskWarnMarginPercent: 5,
  /** Readiness fails when the V8 heap in use exceeds this (bytes), and warns at 80 % of it. */
  heapMaxBytes,
  /** The folder the app writes to (lease keyring, uploads); its disk is checked. */
  storageDir: app.makePath('storage'),
  /** No check may take longer than this: a hung database must not hang the probe. */
  checkTimeoutMs: 2000,
  /**
   * How long each check's result is reused (seconds). The database and Redis
   * are asked on every probe; the others change slowly or cost more.
   */
  cacheSeconds: { migrations: 30, backup: 10, jobWorker: 5, disk: 10 },
  /** How long the metrics' `keyward_ready` gauge reuses a whole readiness report (ms). */
  gaugeCacheMs: 5000,
}

export type HealthConfig = typeof healthConfig

export default healthConfig
