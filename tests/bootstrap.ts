import { assert } from '@japa/assert'
import { apiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import type { Config } from '@japa/runner/types'
import { pluginAdonisJS } from '@japa/plugin-adonisjs'
import testUtils from '@adonisjs/core/services/test_utils'
import { browserClient } from '@japa/browser-client'
import { chromium } from 'playwright'
import { killStrayProcesses } from '#tests/support/child_processes'
import { createHttpServer } from '#support/http_server'
import { DATABASE_SUITES } from '#tests/support/database_suites'
import { Clock } from '#support/clock'

/**
 * Browser tests drive the machine's own Chromium (Debian's, at
 * /usr/bin/chromium; `CHROMIUM_PATH` to use another): nothing is ever
 * downloaded. The flags keep it from calling home on a closed network.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

export const plugins: Config['plugins'] = [
  assert(),
  pluginAdonisJS(app),
  apiClient(),
  browserClient({
    runInSuites: ['browser'],
    contextOptions: {
      baseURL: `http://${process.env.HOST}:${process.env.PORT}`,
      viewport: { width: 1360, height: 860 },
      locale: 'en-US',
    },
    launcher: (config) =>
      chromium.launch({
        ...config,
        headless: true,
        executablePath: chromiumPath,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--no-first-run',
          '--disable-sync',
        ],
      }),
  }),
]

/**
 * The run's database is migrated once, when the first suite that uses it
 * starts; tests create the rows they need with unique keys instead of
 * wiping tables, because the HTTP server and the audit log's append-only
 * rule live outside any test transaction.
 */
let migrated: Promise<void> | null = null
function migrateOnce() {
  migrated ??= testUtils
    .db()
    .migrate()
    .then(() => {})
  return migrated
}

export const runnerHooks: Required<Pick<Config, 'setup' | 'teardown'>> = {
  setup: [],
  teardown: [
    killStrayProcesses,
    (runner) => {
      /**
       * A plain closing line that any CI can read, whatever the reporter.
       */
      const { passed, failed, skipped } = runner.getSummary().aggregates
      console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`)
    },
  ],
}

export const configureSuite: Config['configureSuite'] = (suite) => {
  if (DATABASE_SUITES.includes(suite.name)) {
    suite.setup(() => migrateOnce())
  }
  if (['browser', 'functional', 'e2e'].includes(suite.name)) {
    // A group that moved the server's clock never leaves it moved for the next
    // one: a browser test with a real job worker judges its presence by it.
    suite.onGroup((group) => group.teardown(() => app.container.restore(Clock)))
    return suite.setup(() => testUtils.httpServer().start(createHttpServer))
  }
}
