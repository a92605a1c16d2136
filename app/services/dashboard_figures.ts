import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import type dashboardConfig from '#config/dashboard'
import { licenseExpiredSql, licenseUsableSql } from '#rules/license_usable'
import { sessionLiveSql, whereSessionLive } from '#rules/session_live'
import { Clock } from '#support/clock'

export interface DashboardFigures {
  /** When the figures were taken (ISO, UTC). */
  at: string
  licenses: { active: number; expired: number; suspended: number; revoked: number; total: number }
  /** Devices bound to a license and not deactivated. */
  devicesInUse: number
  /** Sessions live now (`expires_at` ahead). */
  sessionsOnline: number
  /** Heartbeats logged in the last 60 seconds. */
  heartbeatsPerMinute: number
}

export interface OnlinePoint {
  /** Start of the bucket (ISO, UTC). */
  at: string
  /** The most sessions online at the same moment within the bucket. */
  sessions: number
}

/**
 * Every moment a session came online (+1) or went away (-1) in the window
 * (ended sessions from the history; rows of the live table that were still
 * live once the window opened, #rules/session_live at its first moment),
 * folded into the number online after each moment, then into each bucket's
 * first moment, peak and closing value. Sessions online when the window
 * opens count from its start. At one instant, ends come before starts: a
 * session is online during [started_at, ended_at).
 *
 * Bindings: window start, now, bucket seconds.
 */
const ONLINE_PER_BUCKET = `
  WITH params AS (
    SELECT ?::timestamptz AS first_bucket, ?::timestamptz AS now, ?::double precision AS step
  ),
  spans AS (
    SELECT h.started_at, h.ended_at FROM session_history h, params p
     WHERE h.ended_at > p.first_bucket AND h.started_at < p.now
    UNION ALL
    SELECT s.started_at, s.expires_at FROM license_sessions s, params p
     WHERE ${sessionLiveSql('s', 'p.first_bucket')} AND s.started_at < p.now
  ),
  events AS (
    SELECT GREATEST(spans.started_at, p.first_bucket) AS at, 1 AS delta FROM spans, params p
    UNION ALL
    SELECT spans.ended_at, -1 FROM spans, params p WHERE spans.ended_at <= p.now
  ),
  running AS (
    SELECT at,
      sum(delta) OVER (ORDER BY at, delta ROWS UNBOUNDED PRECEDING) AS online,
      row_number() OVER (ORDER BY at, delta) AS n
    FROM events
  )
  SELECT floor(extract(epoch FROM running.at - p.first_bucket) / p.step)::int AS bucket,
    min(running.at) AS first_at,
    max(running.online)::int AS peak,
    (array_agg(running.online ORDER BY running.n DESC))[1]::int AS closing
  FROM running, params p
  GROUP BY 1
  ORDER BY 1`

/**
 * The figures of the panel's dashboard, all judged with the injected clock
 * (a session is online while its `expires_at` lies ahead, whether or not
 * the sweeper has moved it yet).
 */
@inject()
export default class DashboardFigureService {
  constructor(protected clock: Clock) {}

  async current(): Promise<DashboardFigures> {
    const moment = this.clock.now()
    const now = moment.toJSDate()
    const minuteAgo = moment.minus({ minutes: 1 }).toJSDate()
    const [statuses, devices, sessions, beats] = await Promise.all([
      db.rawQuery(
        `SELECT
           count(*) FILTER (WHERE ${licenseUsableSql(null)}) AS active,
           count(*) FILTER (WHERE ${licenseExpiredSql(null)}) AS expired,
           count(*) FILTER (WHERE status = 'suspended') AS suspended,
           count(*) FILTER (WHERE status = 'revoked') AS revoked,
           count(*) AS total
         FROM licenses`,
        { now }
      ),
      db.from('devices').where('active', true).count('* as total').first(),
      whereSessionLive(db.from('license_sessions'), null, now).count('* as total').first(),
      db
        .from('session_heartbeats')
        .where('at', '>', minuteAgo)
        .where('at', '<=', now)
        .count('* as total')
        .first(),
    ])
    const [row] = statuses.rows
    return {
      at: moment.toUTC().toISO()!,
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
   * Sessions online over the last 24 hours, one point per bucket
   * (`chartBucketMinutes`, aligned on UTC): the most sessions that were
   * online at the same moment within it. The last point is the bucket
   * under way.
   *
   * Computed from the live table and the history, not from
   * `license_usage_hourly`: that table counts the sessions that overlapped
   * an hour (more than were ever online together), has nothing for the
   * current hour, and stays empty while no job worker runs.
   */
  async onlineLast24Hours(): Promise<OnlinePoint[]> {
    const minutes = app.config.get<typeof dashboardConfig>('dashboard').chartBucketMinutes
    const step = minutes * 60_000
    const now = this.clock.now()
    const count = Math.ceil((24 * 60) / minutes)
    const lastBucket = Math.floor(now.toMillis() / step) * step
    const firstBucket = lastBucket - (count - 1) * step

    const result = await db.rawQuery(ONLINE_PER_BUCKET, [
      new Date(firstBucket),
      now.toJSDate(),
      step / 1000,
    ])
    type Bucket = { bucket: number; first_at: Date; peak: number; closing: number }
    const buckets = new Map<number, Bucket>(result.rows.map((row: Bucket) => [row.bucket, row]))

    // A bucket opens with the sessions online at the end of the one before,
    // unless something happened at its very first moment: then its own
    // values say who was online from the start.
    const points: OnlinePoint[] = []
    let online = 0
    for (let index = 0; index < count; index++) {
      const start = firstBucket + index * step
      const bucket = buckets.get(index)
      let peak = online
      if (bucket) {
        const opensWithEvent = bucket.first_at.getTime() === start
        peak = opensWithEvent ? bucket.peak : Math.max(online, bucket.peak)
        online = bucket.closing
      }
      points.push({ at: DateTime.fromMillis(start, { zone: 'utc' }).toISO()!, sessions: peak })
    }
    return points
  }
}
