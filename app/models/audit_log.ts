import { AuditLogSchema } from '#database/schema'

export type ActorType = 'admin' | 'api_key' | 'cli' | 'system'

/**
 * One row of the append-only audit log. Write rows through `AuditTrail`;
 * the database refuses UPDATE, DELETE and TRUNCATE on this table.
 */
export default class AuditLog extends AuditLogSchema {
  declare actorType: ActorType
}
