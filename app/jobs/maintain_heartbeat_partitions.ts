import logger from '@adonisjs/core/services/logger'
import type { JobHandler } from '#plugin_host/define_plugin'
import type sessionsConfig from '#config/sessions'
import { Clock } from '#support/clock'
import { HEARTBEAT_LOG, maintainMonthPartitions } from '#support/month_partitions'

/** `heartbeats:partitions`: the daily upkeep of the heartbeat log. */
const maintainHeartbeatPartitionsJob: JobHandler = async ({ app }) => {
  const clock = await app.container.make(Clock)
  const config = app.config.get<typeof sessionsConfig>('sessions')
  const changes = await maintainMonthPartitions(HEARTBEAT_LOG, clock.now(), {
    monthsAhead: config.partitionsAhead,
    retentionDays: config.heartbeatRetentionDays,
  })
  if (changes.created.length > 0 || changes.dropped.length > 0) {
    logger.info(changes, 'heartbeat partitions created/dropped')
  }
  return changes
}

export default maintainHeartbeatPartitionsJob
