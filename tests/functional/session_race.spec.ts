import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createLicense, fingerprint, newApiKey } from '#tests/support/fixtures'
import { startServerProcess } from '#tests/support/server_process'
import { peakConcurrentSessions } from '#tests/support/sessions'

/**
 * The session limit under real contention: three separate server processes
 * on one database, 200 simultaneous starts from 200 different devices at
 * one license. Exactly max_sessions may win, every time.
 */
test.group('Session starts racing across three server processes', (group) => {
  let apiKey: string
  let servers: Array<Awaited<ReturnType<typeof startServerProcess>>> = []

  group.each.timeout(120_000)
  group.setup(async () => {
    apiKey = await newApiKey()
    servers = await Promise.all([1, 2, 3].map(() => startServerProcess()))
    return async () => {
      await Promise.all(servers.map((server) => server.stop()))
    }
  })

  const post = (url: string, path: string, body: Record<string, unknown>) =>
    fetch(`${url}/api/license/session/${path}`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })

  const cases = [
    { policy: 'single', maxSessions: 1 },
    { policy: 'concurrent', maxSessions: 1 },
    { policy: 'concurrent', maxSessions: 3 },
    { policy: 'resumable', maxSessions: 1 },
    { policy: 'resumable', maxSessions: 3 },
  ]

  for (const { policy, maxSessions } of cases) {
    test(`${policy}, max_sessions ${maxSessions}: exactly ${maxSessions} of 200 win, three rounds`, async ({
      assert,
    }) => {
      const license = await createLicense({
        type: 'perpetual',
        sessionPolicy: policy,
        maxDevices: 10,
        maxSessions,
      })

      for (let round = 1; round <= 3; round++) {
        const responses = await Promise.all(
          Array.from({ length: 200 }, (_, index) =>
            post(servers[index % servers.length].url, 'start', {
              license_key: license.key,
              hardware_fingerprint: fingerprint(),
            })
          )
        )
        const bodies: any[] = await Promise.all(responses.map((response) => response.json()))
        const won = bodies.filter((_, index) => responses[index].status === 201)
        const refused = bodies.filter(
          (body, index) =>
            responses[index].status === 409 && body.error.code === 'SESSION_LIMIT_REACHED'
        )
        assert.lengthOf(won, maxSessions, `round ${round}`)
        assert.lengthOf(refused, 200 - maxSessions, `round ${round}`)

        const live = await db.from('license_sessions').where('license_id', license.id)
        assert.lengthOf(live, maxSessions)

        // Free the license for the next round, and the device slots with it.
        for (const session of won) {
          const ended = await post(servers[0].url, 'end', { session_token: session.session_token })
          assert.equal(ended.status, 200)
        }
        await db
          .from('devices')
          .where({ license_id: license.id, active: true })
          .update({ active: false, deactivated_at: new Date() })
      }

      assert.isAtMost(await peakConcurrentSessions(license.id), maxSessions)
      const history = await db.from('session_history').where('license_id', license.id)
      assert.lengthOf(history, 3 * maxSessions)
    })
  }
})
