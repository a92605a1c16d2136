import { SecurityEventSchema } from '#database/schema'
import type { SecurityEventKind } from '#services/security/security_events'

/** A refused request that matters (security_events, partitioned by month); read-only here. */
export default class SecurityEvent extends SecurityEventSchema {
  static table = 'security_events'

  declare kind: SecurityEventKind
}
