import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { JobHandler } from '#plugin_host/define_plugin'
import type sessionsConfig from '#config/sessions'
import { Clock } from '#support/clock'

/** Where catching up starts when nothing has been recorded yet. */
const FIRST_RUN_HOURS_BACK = 48

export interface HourlyUsageRun {
  /** First and last hour computed (ISO, UTC); null when none was due. */
  from: string | null
  to: string | null
  hours: number
  /** Rows inserted or changed; unchanged figures are not rewritten. */
  rowsWritten: number
}

/**
 * Figures per license and full UTC hour `[hour, hour + 1h)`:
 * - sessions: sessions overlapping the hour, live or ended (a live one ends,
 *   at the latest, at its `expires_at`);
 * - devices: distinct devices among those sessions;
 * - heartbeats: heartbeats logged in the hour.
 * Bindings, in order: the hours' series (first, last), live sessions (end,
 * first), history (end, first), heartbeats (first, end); `end` is the end
 * of the last hour.
 */
const UPSERT_USAGE = `
  WITH hours AS (
    SELECT generate_series(?::timestamptz, ?::timestamptz, interval '1 hour') AS hour
  ),
  overlapping AS (
    SELECT license_id, device_id, started_at, expires_at AS ended_at FROM license_sessions
    WHERE started_at < ?::timestamptz AND expires_at > ?::timestamptz
    UNION ALL
    SELECT license_id, device_id, started_at, ended_at FROM session_history
    WHERE started_at < ?::timestamptz AND ended_at > ?::timestamptz
  ),
  session_figures AS (
    SELECT overlapping.license_id, hours.hour,
      count(*) AS sessions, count(DISTINCT overlapping.device_id) AS devices
    FROM hours
    JOIN overlapping
      ON overlapping.started_at < hours.hour + interval '1 hour'
      AND overlapping.ended_at > hours.hour
    GROUP BY overlapping.license_id, hours.hour
  ),
  heartbeat_figures AS (
    SELECT license_id, date_trunc('hour', at, 'UTC') AS hour, count(*) AS heartbeats
    FROM session_heartbeats
    WHERE at >= ?::timestamptz AND at < ?::timestamptz
      -- the log has no foreign key; a deleted license's beats have nowhere to go
      AND license_id IN (SELECT id FROM licenses)
    GROUP BY 1, 2
  )
  INSERT INTO license_usage_hourly AS recorded (license_id, hour, sessions, devices, heartbeats)
  SELECT COALESCE(s.license_id, b.license_id), COALESCE(s.hour, b.hour),
    COALESCE(s.sessions, 0), COALESCE(s.devices, 0), COALESCE(b.heartbeats, 0)
  FROM session_figures s
  FULL JOIN heartbeat_figures b ON b.license_id = s.license_id AND b.hour = s.hour
  ON CONFLICT (license_id, hour) DO UPDATE
    SET sessions = EXCLUDED.sessions, devices = EXCLUDED.devices, heartbeats = EXCLUDED.heartbeats
    WHERE (recorded.sessions, recorded.devices, recorded.heartbeats)
      IS DISTINCT FROM (EXCLUDED.sessions, EXCLUDED.devices, EXCLUDED.heartbeats)
`

/**
 * Records usage for every full hour from the last hour already recorded
 * (computed again, in case late rows arrived) up to the last full hour
 * before `now`. Catches up after the worker or Redis was down; never goes
 * further back than the heartbeat retention. Idempotent.
 *
 * @returns null when another run holds the lock.
 */
export async function recordHourlyUsage(
  now: DateTime,
  options: { retentionDays: number }
): Promise<HourlyUsageRun | null> {
  const currentHour = now.toUTC().startOf('hour')
  const lastFullHour = currentHour.minus({ hours: 1 })
  const oldestAllowed = currentHour.minus({ days: options.retentionDays })

  return db.transaction(async (trx) => {
    // Concurrent multi-row upserts could deadlock; one run at a time.
    const lock = await trx.rawQuery(
      `SELECT pg_try_advisory_xact_lock(hashtext('keyward:usage:hourly')) AS acquired`
    )
    if (!lock.rows[0].acquired) return null

    const newest = await trx.rawQuery('SELECT max(hour) AS hour FROM license_usage_hourly')
    const lastRecorded: Date | null = newest.rows[0].hour
    let from = lastRecorded
      ? DateTime.fromJSDate(lastRecorded, { zone: 'utc' })
      : currentHour.minus({ hours: FIRST_RUN_HOURS_BACK })
    if (from < oldestAllowed) from = oldestAllowed
    if (from > lastFullHour) return { from: null, to: null, hours: 0, rowsWritten: 0 }

    const firstHour = from.toJSDate()
    const lastHour = lastFullHour.toJSDate()
    const end = currentHour.toJSDate()
    const result = await trx.rawQuery(UPSERT_USAGE, [
      ...[firstHour, lastHour],
      ...[end, firstHour],
      ...[end, firstHour],
      ...[firstHour, end],
    ])
    return {
      from: from.toISO(),
      to: lastFullHour.toISO(),
      hours: lastFullHour.diff(from, 'hours').hours + 1,
      rowsWritten: result.rowCount ?? 0,
    }
  })
}

/** `usage:hourly`: the panel's per-license usage figures. */
const recordHourlyUsageJob: JobHandler = async ({ app }) => {
  const clock = await app.container.make(Clock)
  const config = app.config.get<typeof sessionsConfig>('sessions')
  return recordHourlyUsage(clock.now(), { retentionDays: config.heartbeatRetentionDays })
}

export default recordHourlyUsageJob
