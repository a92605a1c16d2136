import type sessionsConfig from '#config/sessions'
import { HEARTBEAT_LOG, monthPartitionsJob } from '#support/month_partitions'

/** `heartbeats:partitions`: the daily upkeep of the heartbeat log. */
export default monthPartitionsJob(HEARTBEAT_LOG, 'heartbeat', (app) => {
  const config = app.config.get<typeof sessionsConfig>('sessions')
  return { monthsAhead: config.partitionsAhead, retentionDays: config.heartbeatRetentionDays }
})
