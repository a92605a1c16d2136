import type securityConfig from '#config/security'
import { SECURITY_EVENT_LOG, monthPartitionsJob } from '#support/month_partitions'

/** `security:partitions`: the daily upkeep of the security event log. */
export default monthPartitionsJob(SECURITY_EVENT_LOG, 'security event', (app) => {
  const config = app.config.get<typeof securityConfig>('security')
  return { monthsAhead: config.partitionsAhead, retentionDays: config.eventRetentionDays }
})
