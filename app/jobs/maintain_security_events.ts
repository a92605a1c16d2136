import logger from '@adonisjs/core/services/logger'
import type { JobHandler } from '#plugin_host/define_plugin'
import type securityConfig from '#config/security'
import { Clock } from '#support/clock'
import { SECURITY_EVENT_LOG, maintainMonthPartitions } from '#support/month_partitions'

/** `security:partitions`: the daily upkeep of the security event log. */
const maintainSecurityEventsJob: JobHandler = async ({ app }) => {
  const clock = await app.container.make(Clock)
  const config = app.config.get<typeof securityConfig>('security')
  const changes = await maintainMonthPartitions(SECURITY_EVENT_LOG, clock.now(), {
    monthsAhead: config.partitionsAhead,
    retentionDays: config.eventRetentionDays,
  })
  if (changes.created.length > 0 || changes.dropped.length > 0) {
    logger.info(changes, 'security event partitions created/dropped')
  }
  return changes
}

export default maintainSecurityEventsJob
