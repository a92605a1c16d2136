import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createLicense, fingerprint, newApiKey } from '#tests/support/fixtures'
import { startServerProcess } from '#tests/support/server_process'
import { PrivatePgBouncer } from '#tests/support/private_services'

async function post(url: string, apiKey: string, path: string, body: Record<string, unknown>) {
  const response = await fetch(`${url}/api/license/${path}`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

/**
 * Scaled out, many processes reach PostgreSQL through PgBouncer in
 * transaction mode: consecutive statements of one client connection land on
 * different server connections. The named prepared statements of the hot
 * path cannot survive that (before PgBouncer 1.21); with
 * DATABASE_PREPARED_STATEMENTS=false they go unnamed and everything works.
 */
test.group('Behind PgBouncer in transaction mode', (group) => {
  group.each.timeout(90_000)

  test('starts, heartbeats (group-committed), verifies and ends all answer right, with DATABASE_PREPARED_STATEMENTS=false', async ({
    assert,
    cleanup,
  }) => {
    const bouncer = await PrivatePgBouncer.start(process.env.DATABASE_URL!, { poolSize: 3 })
    cleanup(() => bouncer.destroy())
    const server = await startServerProcess({
      DATABASE_URL: bouncer.url,
      DATABASE_PREPARED_STATEMENTS: 'false',
      DATABASE_POOL_MAX: '10',
      API_RATE_LIMIT: '0',
    })
    cleanup(() => server.stop())
    const apiKey = await newApiKey()
    const licenses = await Promise.all(Array.from({ length: 20 }, () => createLicense()))

    const starts = await Promise.all(
      licenses.map((license) =>
        post(server.url, apiKey, 'session/start', {
          license_key: license.key,
          hardware_fingerprint: fingerprint(),
        })
      )
    )
    assert.deepEqual(
      starts.map((start) => start.status),
      Array(20).fill(201)
    )
    const beat = (index: number) =>
      post(server.url, apiKey, 'session/heartbeat', {
        session_token: starts[index].body.session_token,
        license_key: licenses[index].key,
      })
    // Five rounds of every session at once: the batcher sends multi-row statements.
    for (let round = 0; round < 5; round++) {
      const beats = await Promise.all(licenses.map((_, index) => beat(index)))
      assert.deepEqual(
        beats.map((answer) => answer.status),
        Array(20).fill(200)
      )
    }
    const verifies = await Promise.all(
      licenses.map((license) => post(server.url, apiKey, 'verify', { license_key: license.key }))
    )
    assert.deepEqual(
      verifies.map((answer) => answer.body.code),
      Array(20).fill('VALID')
    )
    const ends = await Promise.all(
      starts.map((start) =>
        post(server.url, apiKey, 'session/end', { session_token: start.body.session_token })
      )
    )
    assert.deepEqual(
      ends.map((answer) => answer.status),
      Array(20).fill(200)
    )
    const ids = licenses.map((license) => license.id)
    const history = await db.from('session_history').whereIn('license_id', ids)
    assert.lengthOf(history, 20)
    for (const row of history) assert.equal(row.heartbeat_count, 5)
    assert.notInclude(
      server.output(),
      'prepared statement',
      'no prepared-statement error was logged'
    )
  })
})
