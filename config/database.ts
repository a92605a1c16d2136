import env from '#start/env'
import { fileURLToPath } from 'node:url'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/lucid'
import { pluginMigrationPaths, pluginPaths } from '#plugin_host/plugin_host'

/**
 * One PostgreSQL connection, given as a URL. The test runner points
 * `DATABASE_URL` at a database of its own for every run (see bin/test.ts).
 */
export const databaseUrl = env.get('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/keyward')

/**
 * Bounded waits: opening a connection gives up after 5 s (a database that
 * hangs instead of refusing), waiting for a free one in the pool after 10 s
 * (knex waits a minute); the request then answers 503. TCP keep-alive
 * notices a connection that died without a word. (pg's options, which
 * Lucid's types do not list, are passed through to it.)
 */
/**
 * The statements every client request runs (API-key lookup, heartbeat,
 * usage record, verify's device check) are named prepared statements,
 * planned once per connection (app/support/prepared_query.ts). A pooler in
 * transaction mode that does not track them (PgBouncer before 1.21, or
 * without `max_prepared_statements`) hands the next statement to a server
 * connection that never saw the name: set DATABASE_PREPARED_STATEMENTS=false
 * there, and they are sent unnamed (planned on every call).
 */
export const namedPreparedStatements = env.get('DATABASE_PREPARED_STATEMENTS', true)

const connection = { connectionString: databaseUrl, connectionTimeoutMillis: 5000, keepAlive: true }

const dbConfig = defineConfig({
  connection: 'postgres',
  connections: {
    postgres: {
      client: 'pg',
      connection,
      pool: { min: 0, max: env.get('DATABASE_POOL_MAX', 10), acquireTimeoutMillis: 10_000 },
      migrations: {
        naturalSort: true,
        /**
         * The core's first, then every installed plugin's, enabled or not
         * (docs/decisions/0004-plugin-migrations.md).
         */
        paths: ['database/migrations', ...pluginMigrationPaths(fileURLToPath(app.appRoot))],
      },
      seeders: {
        /** Plugins' seeders run after the core's, whether enabled or not, like migrations. */
        paths: ['database/seeders', ...pluginPaths(fileURLToPath(app.appRoot), 'database/seeders')],
      },
      schemaGeneration: {
        enabled: true,
        rulesPaths: ['./database/schema_rules.js'],
      },
    },
  },
})

export default dbConfig
