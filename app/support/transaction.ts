import db from '@adonisjs/lucid/services/db'
import type { QueryClient } from '@adonisjs/lucid/database'
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

/**
 * Makes `db.transaction(callback)` fail when its COMMIT fails. knex resolves
 * `commit()` even when the COMMIT statement failed (a connection that died
 * between the last statement and the COMMIT) and reports it only through
 * the transaction's `executionPromise`, which Lucid does not await: the
 * request answered success for a change that was never stored. Awaiting it
 * turns that into the connection error it is (a 503 to the client).
 * Installed once, by the app provider.
 */
export function failOnLostCommits(Client: typeof QueryClient) {
  type Transaction = (this: QueryClient, ...args: unknown[]) => Promise<unknown>
  const transaction = Client.prototype.transaction as unknown as Transaction
  const guarded: Transaction = async function (callback, ...rest) {
    if (typeof callback !== 'function') return transaction.call(this, callback, ...rest)
    let execution: Promise<unknown> | undefined
    const watched = (trx: TransactionClientContract) => {
      execution = (trx.knexClient as unknown as { executionPromise?: Promise<unknown> })
        .executionPromise
      return callback(trx)
    }
    const result = await transaction.call(this, watched, ...rest)
    await execution
    return result
  }
  Client.prototype.transaction = guarded as unknown as QueryClient['transaction']
}
