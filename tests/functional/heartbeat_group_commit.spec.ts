import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import HeartbeatBatcher from '#services/heartbeat_batcher'
import SessionService from '#services/session_service'
import { cliActor } from '#support/actor'
import { baseUrl, fingerprint, newApiKey, createLicense } from '#tests/support/fixtures'
import { restoreClock, useFixedClock } from '#tests/support/sessions'
import { startServerProcess } from '#tests/support/server_process'

async function call(apiKey: string, path: string, body: Record<string, unknown>) {
  const response = await fetch(`${baseUrl()}/api/license/session/${path}`, {
    method: 'POST',
    headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

/**
 * Heartbeats arriving together share a statement (HeartbeatBatcher); every
 * beat must still get the answer it would have had alone.
 */
test.group('Heartbeats in one statement', (group) => {
  group.each.teardown(() => restoreClock())

  test('a burst of beats is counted and logged exactly, ended sessions still get 410 with their reason', async ({
    assert,
  }) => {
    const clock = useFixedClock()
    const apiKey = await newApiKey()
    const start = async () => {
      const license = await createLicense()
      const started = await call(apiKey, 'start', {
        license_key: license.key,
        hardware_fingerprint: fingerprint(),
      })
      assert.equal(started.status, 201)
      return { license, token: started.body.session_token as string }
    }
    // One session that will have timed out by the time of the burst.
    clock.advance({ seconds: -100 })
    const timedOut = await start()
    clock.advance({ seconds: 100 })
    const live = await Promise.all(Array.from({ length: 30 }, () => start()))
    const forced = await start()
    const [{ id: forcedId }] = await db
      .from('license_sessions')
      .where('license_id', forced.license.id)
    await app.container
      .make(SessionService)
      .then((sessions) => sessions.forceEnd(forcedId, cliActor('tests')))
    clock.advance({ seconds: 30 })

    const batcher = await app.container.make(HeartbeatBatcher)
    const before = batcher.sent
    const beat = ({ license, token }: { license: { key: string }; token: string }) =>
      call(apiKey, 'heartbeat', { session_token: token, license_key: license.key })
    // Three beats of every live session, all at once, with the two ended ones among them.
    const answers = await Promise.all([
      ...live.flatMap((session) => [beat(session), beat(session), beat(session)]),
      beat(timedOut),
      beat(forced),
    ])
    const sent = batcher.sent

    const liveAnswers = answers.slice(0, 90)
    assert.deepEqual(
      liveAnswers.map((answer) => answer.status),
      Array(90).fill(200)
    )
    const expiresAt = clock.now().plus({ seconds: 60 }).toJSDate().toISOString()
    for (const answer of liveAnswers) assert.equal(answer.body.expires_at, expiresAt)
    assert.deepInclude(answers[90].body.error, { code: 'SESSION_ENDED', end_reason: 'timeout' })
    assert.equal(answers[90].status, 410)
    assert.deepInclude(answers[91].body.error, { code: 'SESSION_ENDED', end_reason: 'forced' })
    assert.equal(answers[91].status, 410)

    const licenseIds = live.map((session) => session.license.id)
    const rows = await db.from('license_sessions').whereIn('license_id', licenseIds)
    assert.lengthOf(rows, 30)
    for (const row of rows) assert.equal(row.heartbeat_count, 3)
    const logged = await db
      .from('session_heartbeats')
      .whereIn('license_id', licenseIds)
      .count('* as count')
    assert.equal(Number(logged[0].count), 90)

    // And they did share statements: fewer statements than beats.
    const beats = sent.beats - before.beats
    const statements = sent.statements - before.statements
    assert.equal(beats, 92)
    assert.isBelow(statements, beats)
  })
})

test.group('Heartbeats in one statement: durability', (group) => {
  group.each.timeout(60_000)

  test('a beat answered 200 is on disk, even when the server is killed (SIGKILL) right after the answer', async ({
    assert,
    cleanup,
  }) => {
    const apiKey = await newApiKey()
    const sessions = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const license = await createLicense()
        const started = await call(apiKey, 'start', {
          license_key: license.key,
          hardware_fingerprint: fingerprint(),
        })
        return { license, token: started.body.session_token as string }
      })
    )
    const server = await startServerProcess({ API_RATE_LIMIT: '0' })
    cleanup(() => server.stop())

    let killed: Promise<void> | undefined
    const answered = new Set<number>()
    await Promise.allSettled(
      sessions.map(async (session, index) => {
        const response = await fetch(`${server.url}/api/license/session/heartbeat`, {
          method: 'POST',
          headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
          body: JSON.stringify({ session_token: session.token, license_key: session.license.key }),
        })
        if (response.status !== 200) return
        answered.add(index)
        // The first answer kills the process: whatever it answered must be committed.
        killed ??= server.kill()
      })
    )
    await killed
    assert.isAbove(answered.size, 0)

    for (const index of answered) {
      const { license } = sessions[index]
      const [row] = await db.from('license_sessions').where('license_id', license.id)
      assert.equal(row.heartbeat_count, 1, `the beat answered for license ${license.id} counted`)
      const logged = await db.from('session_heartbeats').where('license_id', license.id)
      assert.lengthOf(logged, 1)
    }
  })
})
