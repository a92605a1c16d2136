import env from '#start/env'

/**
 * The session engine. A session is live while its last heartbeat (or its
 * start) is younger than `timeout` seconds; clients are told to beat every
 * `heartbeatInterval` seconds. The timeout must leave room for one missed
 * beat, hence at least twice the interval.
 *
 * A product may let other devices reclaim a crashed device's place sooner
 * than the timeout: its reclaim grace (`products.reclaim_grace_seconds`,
 * panel Products), after which a start of another device ends the silent
 * session (SessionService#reclaimSilent).
 */
const heartbeatInterval = env.get('SESSION_HEARTBEAT_INTERVAL', 30)
const timeout = env.get('SESSION_TIMEOUT', 60)

if (heartbeatInterval < 1 || timeout < 2 * heartbeatInterval) {
  throw new Error(
    `SESSION_TIMEOUT (${timeout}s) must be at least twice SESSION_HEARTBEAT_INTERVAL ` +
      `(${heartbeatInterval}s), and the interval at least 1s`
  )
}

const sessionsConfig = {
  heartbeatInterval,
  timeout,
  /** How often the worker moves expired sessions to the history. */
  sweepEvery: env.get('SESSION_SWEEP_EVERY', '5s'),
  /** Heartbeat rows older than this are dropped, a month partition at a time. */
  heartbeatRetentionDays: env.get('HEARTBEAT_RETENTION_DAYS', 90),
  /** Month partitions kept ready ahead of the current one. */
  partitionsAhead: 3,
  /**
   * Group commit of heartbeats (app/services/heartbeat_batcher.ts): beats
   * arriving while `maxInFlight` statements are on their way go together,
   * up to `maxBatch` in one statement. `HEARTBEAT_BATCH_MAX=1` sends each
   * beat alone.
   */
  heartbeatBatch: {
    maxBatch: env.get('HEARTBEAT_BATCH_MAX', 200),
    maxInFlight: env.get('HEARTBEAT_BATCH_IN_FLIGHT', 2),
  },
}

export default sessionsConfig
