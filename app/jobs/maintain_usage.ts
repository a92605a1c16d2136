import type { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import type { JobHandler } from '#plugin_host/define_plugin'
import type sessionsConfig from '#config/sessions'
import type usageConfig from '#config/usage'
import { Clock } from '#support/clock'
import {
  maintainMonthPartitions,
  USAGE_EVENT_LOG,
  type PartitionChanges,
} from '#support/month_partitions'

export interface UsageUpkeep extends PartitionChanges {
  /** Idempotency keys past their 24 hours, deleted. */
  keysPurged: number
}

/**
 * The upkeep of metered usage: the month partitions of `usage_events` from
 * `now`'s month to `monthsAhead` later, those whose month ended before the
 * retention dropped (the twins of the heartbeat log's functions), and the
 * idempotency keys that no longer answer. A record deletes an expired key
 * it meets itself; this keeps the others from piling up.
 */
export async function maintainUsage(
  now: DateTime,
  options: { monthsAhead: number; retentionDays: number; keyHours: number }
): Promise<UsageUpkeep> {
  const partitions = await maintainMonthPartitions(USAGE_EVENT_LOG, now, options)
  const purged = await db
    .from('usage_idempotency_keys')
    .where('created_at', '<=', now.minus({ hours: options.keyHours }).toJSDate())
    .delete()
  return { ...partitions, keysPurged: Number(purged) }
}

/** `usage:upkeep`: hourly, so keys go soon after their 24 hours and partitions are ready early. */
const maintainUsageJob: JobHandler = async ({ app }) => {
  const clock = await app.container.make(Clock)
  const sessions = app.config.get<typeof sessionsConfig>('sessions')
  const usage = app.config.get<typeof usageConfig>('usage')
  const changes = await maintainUsage(clock.now(), {
    monthsAhead: sessions.partitionsAhead,
    retentionDays: usage.eventRetentionDays,
    keyHours: usage.idempotencyKeyHours,
  })
  if (changes.created.length > 0 || changes.dropped.length > 0) {
    logger.info(changes, 'usage partitions created/dropped')
  }
  return changes
}

export default maintainUsageJob
