import type { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import type { ApplicationService } from '@adonisjs/core/types'
import type { JobHandler } from '#plugin_host/define_plugin'
import { Clock } from '#support/clock'

/**
 * SQLSTATE of "no partition of relation found for row": a write into a log
 * whose month has no partition (the upkeep job has not run far enough).
 */
export const NO_PARTITION_FOR_ROW = '23514'

/**
 * A log partitioned by month (migrations 0005, 0010 and 0011): the SQL functions
 * that make its partitions ahead and drop those past retention, and the
 * advisory lock that keeps two runs from racing on the same CREATE TABLE.
 */
export interface MonthPartitionedLog {
  lock: string
  ensure:
    'ensure_heartbeat_partitions' | 'ensure_usage_partitions' | 'ensure_security_event_partitions'
  dropBefore:
    | 'drop_heartbeat_partitions_before'
    | 'drop_usage_partitions_before'
    | 'drop_security_event_partitions_before'
}

export const HEARTBEAT_LOG: MonthPartitionedLog = {
  lock: 'keyward:heartbeats:partitions',
  ensure: 'ensure_heartbeat_partitions',
  dropBefore: 'drop_heartbeat_partitions_before',
}

export const USAGE_EVENT_LOG: MonthPartitionedLog = {
  lock: 'keyward:usage:partitions',
  ensure: 'ensure_usage_partitions',
  dropBefore: 'drop_usage_partitions_before',
}

export const SECURITY_EVENT_LOG: MonthPartitionedLog = {
  lock: 'keyward:security:partitions',
  ensure: 'ensure_security_event_partitions',
  dropBefore: 'drop_security_event_partitions_before',
}

export interface PartitionChanges {
  created: string[]
  dropped: string[]
}

/**
 * Creates the log's month partitions from `now`'s month to `monthsAhead`
 * months later, and drops those whose month ended before the retention
 * period. Both SQL functions are idempotent.
 */
export async function maintainMonthPartitions(
  log: MonthPartitionedLog,
  now: DateTime,
  options: { monthsAhead: number; retentionDays: number }
): Promise<PartitionChanges> {
  const cutoff = now.minus({ days: options.retentionDays })
  return db.transaction(async (trx) => {
    await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtext(?))', [log.lock])
    const created = await trx.rawQuery(
      `SELECT name FROM ${log.ensure}(?::timestamptz, ?::integer) AS created(name)`,
      [now.toJSDate(), options.monthsAhead]
    )
    const dropped = await trx.rawQuery(
      `SELECT name FROM ${log.dropBefore}(?::timestamptz) AS dropped(name)`,
      [cutoff.toJSDate()]
    )
    const names = (result: { rows: Array<{ name: string }> }) => result.rows.map((row) => row.name)
    return { created: names(created), dropped: names(dropped) }
  })
}

/**
 * The daily upkeep job of a log (`heartbeats:partitions`,
 * `security:partitions`): its partitions kept with the settings `settingsOf`
 * reads from the config, on the app's clock, logged when anything changed.
 */
export function monthPartitionsJob(
  log: MonthPartitionedLog,
  what: string,
  settingsOf: (app: ApplicationService) => { monthsAhead: number; retentionDays: number }
): JobHandler {
  return async ({ app }) => {
    const clock = await app.container.make(Clock)
    const changes = await maintainMonthPartitions(log, clock.now(), settingsOf(app))
    if (changes.created.length > 0 || changes.dropped.length > 0) {
      logger.info(changes, `${what} partitions created/dropped`)
    }
    return changes
  }
}
