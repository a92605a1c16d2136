import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { DateTime } from 'luxon'
import type { Actor } from '#plugin_host/api'

export type HistoryAction =
  | 'added'
  | 'allocated'
  | 'released'
  | 'quarantined'
  | 'returned'
  | 'swapped_out'
  | 'swapped_in'
  | 'reported'
  | 'flag_cleared'
  | 'retired'

export interface HistoryEntry {
  resourceId: number
  action: HistoryAction
  license?: { id: number | null; key: string | null } | null
  otherResourceId?: number | null
  reason?: string | null
}

/**
 * The history of resources: one row per thing that happened to one
 * resource, written in the transaction of the change.
 */
export async function recordHistory(
  trx: TransactionClientContract,
  actor: Actor,
  at: DateTime,
  entries: HistoryEntry[]
) {
  if (entries.length === 0) return
  const rows = entries.map((entry) => ({
    resource_id: entry.resourceId,
    action: entry.action,
    license_id: entry.license?.id ?? null,
    license_key: entry.license?.key ?? null,
    other_resource_id: entry.otherResourceId ?? null,
    actor_type: actor.type,
    actor_label: actor.label ?? null,
    reason: entry.reason ?? null,
    at: at.toJSDate(),
  }))
  for (let index = 0; index < rows.length; index += 500) {
    await trx.table('resource_pools_events').multiInsert(rows.slice(index, index + 500))
  }
}
