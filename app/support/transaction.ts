import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/**
 * Runs `work` in the caller's transaction when there is one, else in a new
 * transaction: services that are also steps of a larger change (an import,
 * a conversion) use it.
 */
export function inTransaction<T>(
  client: TransactionClientContract | undefined,
  work: (trx: TransactionClientContract) => Promise<T>
): Promise<T> {
  return client ? work(client) : db.transaction(work)
}
