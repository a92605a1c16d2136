import db from '@adonisjs/lucid/services/db'
import type pg from 'pg'
import { namedPreparedStatements } from '#config/database'

/**
 * Runs a statement as a named prepared statement on a connection of Lucid's
 * own pool. PostgreSQL then plans it once per connection instead of on
 * every call, which matters for the few statements every client request
 * runs (the API-key lookup, the heartbeat). Knex cannot name statements, so
 * this borrows the pool's connection directly. Text uses $1, $2, ….
 * Behind a pooler that cannot keep them, DATABASE_PREPARED_STATEMENTS=false
 * sends the same statements unnamed (config/database.ts).
 */
export async function preparedQuery<Row>(
  name: string,
  text: string,
  values: unknown[]
): Promise<Row[]> {
  const knex = db.connection().getWriteClient()
  const connection: pg.PoolClient = await knex.client.acquireConnection()
  try {
    const result = await connection.query<Row & pg.QueryResultRow>(
      namedPreparedStatements ? { name, text, values } : { text, values }
    )
    return result.rows
  } finally {
    await knex.client.releaseConnection(connection)
  }
}
