import { createHash } from 'node:crypto'
import { test } from '@japa/runner'
import { FaultLab } from '#tests/support/fault_lab'
import { Ledger, SessionProgram } from '#tests/support/load_clients'
import { reportFigures, waitUntil } from '#tests/support/faults'

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/**
 * The most sessions each license ever had live at once, from the live rows
 * and the history: a session is live from its start until it ended (or,
 * for a live row, until it expires or now).
 */
async function peakLiveSessions(lab: FaultLab) {
  const rows = await lab.query<{
    license_id: number
    max_sessions: number
    starts: Date
    ends: Date
  }>(
    `SELECT s.license_id, l.max_sessions, s.started_at AS starts, LEAST(s.expires_at, now()) AS ends
       FROM license_sessions s JOIN licenses l ON l.id = s.license_id
     UNION ALL
     SELECT h.license_id, l.max_sessions, h.started_at, h.ended_at
       FROM session_history h JOIN licenses l ON l.id = h.license_id`
  )
  const byLicense = new Map<number, { limit: number; events: [number, number][] }>()
  for (const row of rows) {
    const entry = byLicense.get(row.license_id) ?? { limit: row.max_sessions, events: [] }
    entry.events.push([row.starts.getTime(), 1], [row.ends.getTime(), -1])
    byLicense.set(row.license_id, entry)
  }
  const peaks: { licenseId: number; limit: number; peak: number }[] = []
  for (const [licenseId, { limit, events }] of byLicense) {
    // An end and a start at the same instant: the end comes first.
    events.sort((left, right) => left[0] - right[0] || left[1] - right[1])
    let live = 0
    let peak = 0
    for (const [, change] of events) {
      live += change
      peak = Math.max(peak, live)
    }
    peaks.push({ licenseId, limit, peak })
  }
  return peaks
}

test.group('Faults: a server process killed with SIGKILL', (group) => {
  let lab: FaultLab
  group.setup(async () => {
    lab = await FaultLab.start({
      env: { SESSION_HEARTBEAT_INTERVAL: '2', SESSION_TIMEOUT: '6', SESSION_SWEEP_EVERY: '1s' },
    })
    return () => lab.destroy()
  })

  test('its clients carry on through the survivor; no license ever exceeds its limit', async ({
    assert,
  }) => {
    // 20 licenses of 2 sessions, 3 machines each: every license is contended.
    const { apiKey, licenseKeys } = await lab.seed({ licenses: 20, maxDevices: 3, maxSessions: 2 })
    const [doomed, survivor] = await Promise.all([lab.startServer(), lab.startServer()])
    lab.startWorker()
    const ledger = new Ledger()
    const clients = Array.from(
      { length: 60 },
      (_, index) =>
        new SessionProgram({
          apiKey,
          licenseKey: licenseKeys[index % licenseKeys.length],
          servers: [doomed.url, survivor.url],
          home: index % 2,
          ledger,
        })
    )
    const running = clients.map((client) => client.run())
    /**
     * Phases end by what the load did, not by the clock alone: on a busy
     * machine the same seconds hold fewer requests, and the test must not
     * depend on how fast the machine is.
     */
    const answeredSince = (since: number) =>
      ledger.where((outcome) => outcome.at > since && outcome.status === 200).length
    const loadBegan = Date.now()
    await waitUntil(
      'the load warmed up',
      async () => Date.now() - loadBegan >= 3000 && answeredSince(loadBegan) >= 500,
      60_000
    )
    const onDoomed = clients.filter((client) => client.server === 0 && client.token)
    const tokensOnDoomed = new Map(onDoomed.map((client) => [client, client.token!]))
    const killedAt = Date.now()
    await doomed.kill()
    await waitUntil(
      'the load went on after the kill',
      async () => Date.now() - killedAt >= 5000 && answeredSince(killedAt) >= 500,
      60_000
    )
    for (const client of clients) client.stop()
    await Promise.all(running)

    // Clients of the dead process carried on, with the same session, through the survivor.
    assert.isAbove(onDoomed.length, 10, 'enough clients were on the killed process')
    for (const [client, token] of tokensOnDoomed) {
      assert.isTrue(
        client.tokensByServer.get(survivor.url)?.has(token) ?? false,
        'a client of the killed process did not carry on through the survivor'
      )
    }
    const survivorAnswers = ledger.where((outcome) => outcome.server === survivor.url)
    assert.deepEqual(
      survivorAnswers.filter((outcome) => outcome.status >= 500),
      [],
      'the survivor answered 5xx'
    )
    assert.deepEqual(
      survivorAnswers.filter((outcome) => outcome.status === 0),
      [],
      'the survivor left requests unanswered'
    )

    // Limits held throughout, judged from the database alone.
    const peaks = await peakLiveSessions(lab)
    assert.lengthOf(peaks, 20)
    for (const { limit, peak } of peaks) assert.isAtMost(peak, limit)
    assert.isTrue(
      peaks.every(({ limit, peak }) => peak === limit),
      'every license was used to its limit'
    )

    // Every heartbeat answered 200 is in the database.
    const beats = await lab.query<{ token_hash: string; total: number }>(
      `SELECT s.token_hash, count(*)::int AS total
         FROM session_heartbeats b
         JOIN (SELECT id, token_hash FROM license_sessions
               UNION ALL SELECT id, token_hash FROM session_history) s ON s.id = b.session_id
        GROUP BY s.token_hash`
    )
    const stored = new Map(beats.map((row) => [row.token_hash, row.total]))
    let answered = 0
    for (const client of clients) {
      for (const [token, ok] of client.okHeartbeats) {
        answered += ok
        assert.isAtLeast(stored.get(sha256(token)) ?? 0, ok, 'a 200 heartbeat is missing')
      }
    }
    assert.isAbove(answered, 800, 'enough heartbeats were checked against the database')

    reportFigures('kill -9', {
      'clients': clients.length,
      'licenses (2 sessions, 3 machines each)': peaks.length,
      'clients on the killed process': onDoomed.length,
      'of them carried on through the survivor': onDoomed.length,
      'heartbeats answered 200': answered,
      'answered 5xx by the survivor': 0,
      'most live sessions of a license': Math.max(...peaks.map(({ peak }) => peak)),
    })
  }).timeout(180_000)
})
