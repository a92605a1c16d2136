import env from '#start/env'

/**
 * The panel's dashboard: its live figures (Server-Sent Events) and the
 * chart of sessions online.
 *
 * `PANEL_LIVE_INTERVAL` (seconds, default 5) is how often an open dashboard
 * receives fresh figures; it is declared in start/env.ts.
 */
const streamIntervalSeconds = env.get('PANEL_LIVE_INTERVAL', 5)

if (!(streamIntervalSeconds >= 1 && streamIntervalSeconds <= 3600)) {
  throw new Error(`PANEL_LIVE_INTERVAL (${streamIntervalSeconds}) must be 1 to 3600 seconds`)
}

const dashboardConfig = {
  /** Seconds between two `figures` events of the live stream. */
  streamIntervalSeconds,
  /** Seconds between two `chart` events (the 24-hour series costs more). */
  chartIntervalSeconds: Math.max(60, streamIntervalSeconds),
  /**
   * Seconds after which the server closes a stream. The browser reconnects
   * by itself (`retry`), and the reconnect passes the login check again: a
   * stream never outlives the admin's panel session by more than this.
   */
  streamMaxSeconds: 300,
  /** Width of one point of the 24-hour chart, in minutes (divides 1440). */
  chartBucketMinutes: 10,
}

export default dashboardConfig
