import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { Clock } from '#support/clock'

export interface DashboardFigures {
  at: string
  licenses: { active: number; expired: number; suspended: number; revoked: number; total: number }
  devicesInUse: number
  sessionsOnline: number
  heartbeatsPerMinute: number
}

export interface OnlinePoint {
  hour: string
  sessions: number
}

/**
 * The figures of the panel's dashboard, each one query, all judged with the
 * injected clock (a session is online while `expires_at` is ahead).
 */
@inject()
export default class DashboardFigureService {
  constructor(protected clock: Clock) {}

  async current(): Promise<DashboardFigures> {
    const now = this.clock.now().toJSDate()
    const [statuses, devices, sessions, beats] = await Promise.all([
      db.rawQuery(
        `SELECT
           count(*) FILTER (WHERE status = 'active' AND (expires_at IS NULL OR expires_at > ?)) AS active,
           count(*) FILTER (WHERE status = 'active' AND expires_at <= ?) AS expired,
           count(*) FILTER (WHERE status = 'suspended') AS suspended,
           count(*) FILTER (WHERE status = 'revoked') AS revoked,
           count(*) AS total
         FROM licenses`,
        [now, now]
      ),
      db.from('devices').where('active', true).count('* as total').first(),
      db.from('license_sessions').where('expires_at', '>', now).count('* as total').first(),
      db
        .from('session_heartbeats')
        .where('at', '>', new Date(now.getTime() - 60_000))
        .where('at', '<=', now)
        .count('* as total')
        .first(),
    ])
    const [row] = statuses.rows
    return {
      at: this.clock.now().toISO()!,
      licenses: {
        active: Number(row.active),
        expired: Number(row.expired),
        suspended: Number(row.suspended),
        revoked: Number(row.revoked),
        total: Number(row.total),
      },
      devicesInUse: Number(devices?.total ?? 0),
      sessionsOnline: Number(sessions?.total ?? 0),
      heartbeatsPerMinute: Number(beats?.total ?? 0),
    }
  }

  /**
   * Sessions online per hour over the last 24 hours: for each hour, the
   * sessions that were live at some moment of it (ended ones from the
   * history, the others from the live table). The current hour is the
   * last point.
   */
  async onlineLast24Hours(): Promise<OnlinePoint[]> {
    const now = this.clock.now()
    const lastHour = now.startOf('hour')
    const result = await db.rawQuery(
      `WITH hours AS (
         SELECT generate_series(?::timestamptz - interval '23 hours', ?::timestamptz, interval '1 hour') AS hour
       ),
       spans AS (
         SELECT started_at, ended_at AS until FROM session_history
           WHERE ended_at > ?::timestamptz - interval '24 hours'
         UNION ALL
         SELECT started_at, LEAST(expires_at, ?::timestamptz) FROM license_sessions
       )
       SELECT hours.hour, count(spans.started_at) AS sessions
       FROM hours
       LEFT JOIN spans
         ON spans.started_at < hours.hour + interval '1 hour'
        AND spans.until > hours.hour
        AND spans.started_at <= ?::timestamptz
       GROUP BY hours.hour
       ORDER BY hours.hour`,
      [
        lastHour.toJSDate(),
        lastHour.toJSDate(),
        lastHour.toJSDate(),
        now.toJSDate(),
        now.toJSDate(),
      ]
    )
    return result.rows.map((row: { hour: Date; sessions: string | number }) => ({
      hour: row.hour.toISOString(),
      sessions: Number(row.sessions),
    }))
  }
}
