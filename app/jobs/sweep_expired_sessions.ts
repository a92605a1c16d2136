import type { JobHandler } from '#plugin_host/define_plugin'
import { SessionLedger } from '#services/session_ledger'
import { Clock } from '#support/clock'

/**
 * `sessions:sweep`: moves sessions whose last heartbeat is older than the
 * timeout to the history as `timeout`. Housekeeping only: a session is
 * already dead at request time once it has expired.
 */
const sweepExpiredSessionsJob: JobHandler = async ({ app }) => {
  const clock = await app.container.make(Clock)
  const ledger = await app.container.make(SessionLedger)
  const moved = await ledger.sweepExpired(clock.now().toJSDate())
  // null: another worker's sweep held the lock, or nothing had expired.
  return moved ? { moved } : null
}

export default sweepExpiredSessionsJob
