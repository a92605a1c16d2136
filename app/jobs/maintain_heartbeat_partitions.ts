import type { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import type { JobHandler } from '#plugin_host/define_plugin'
import type sessionsConfig from '#config/sessions'
import { Clock } from '#support/clock'

export interface PartitionChanges {
  created: string[]
  dropped: string[]
}

/**
 * Creates the month partitions of `session_heartbeats` from `now`'s month to
 * `monthsAhead` months later, and drops those whose month ended before the
 * retention period. Both SQL functions are idempotent; the lock keeps two
 * runs from racing on the same CREATE TABLE.
 */
export async function maintainHeartbeatPartitions(
  now: DateTime,
  options: { monthsAhead: number; retentionDays: number }
): Promise<PartitionChanges> {
  const cutoff = now.minus({ days: options.retentionDays })
  return db.transaction(async (trx) => {
    await trx.rawQuery(`SELECT pg_advisory_xact_lock(hashtext('keyward:heartbeats:partitions'))`)
    const created = await trx.rawQuery(
      'SELECT name FROM ensure_heartbeat_partitions(?::timestamptz, ?::integer) AS created(name)',
      [now.toJSDate(), options.monthsAhead]
    )
    const dropped = await trx.rawQuery(
      'SELECT name FROM drop_heartbeat_partitions_before(?::timestamptz) AS dropped(name)',
      [cutoff.toJSDate()]
    )
    const names = (result: { rows: Array<{ name: string }> }) => result.rows.map((row) => row.name)
    return { created: names(created), dropped: names(dropped) }
  })
}

/** `heartbeats:partitions`: the daily upkeep of the heartbeat log. */
const maintainHeartbeatPartitionsJob: JobHandler = async ({ app }) => {
  const clock = await app.container.make(Clock)
  const config = app.config.get<typeof sessionsConfig>('sessions')
  const changes = await maintainHeartbeatPartitions(clock.now(), {
    monthsAhead: config.partitionsAhead,
    retentionDays: config.heartbeatRetentionDays,
  })
  if (changes.created.length > 0 || changes.dropped.length > 0) {
    logger.info(changes, 'heartbeat partitions created/dropped')
  }
  return changes
}

export default maintainHeartbeatPartitionsJob
