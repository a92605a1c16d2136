import type { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'

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
