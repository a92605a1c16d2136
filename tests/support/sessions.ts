import type { ApiClient } from '@japa/api-client'
import { DateTime } from 'luxon'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type License from '#models/license'
import { Clock, FixedClock } from '#support/clock'
import { createLicense, newApiKey } from '#tests/support/fixtures'

/**
 * A controllable clock for the test server: sessions expire when the test
 * says so, not after a real minute.
 */
export function useFixedClock(start: DateTime = DateTime.utc().startOf('second')) {
  const clock = new FixedClock(start)
  app.container.swap(Clock, () => clock)
  return clock
}

export function restoreClock() {
  app.container.restore(Clock)
}

/**
 * A client program as the session API sees it: one license, one API key.
 */
export class SessionClient {
  constructor(
    protected client: ApiClient,
    readonly apiKey: string,
    readonly licenseKey: string,
    protected locale = 'en'
  ) {}

  static async forLicense(client: ApiClient, overrides: Partial<License> = {}) {
    const license = await createLicense({ type: 'perpetual', ...overrides })
    return { license, api: new SessionClient(client, await newApiKey(), license.key) }
  }

  protected post(path: string, body: Record<string, unknown>) {
    return this.client
      .post(`/api/license/${path}`)
      .header('X-API-Key', this.apiKey)
      .header('Accept-Language', this.locale)
      .json(body)
  }

  inLocale(locale: string) {
    return new SessionClient(this.client, this.apiKey, this.licenseKey, locale)
  }

  start(fingerprint: string, extra: Record<string, unknown> = {}) {
    return this.post('session/start', {
      license_key: this.licenseKey,
      hardware_fingerprint: fingerprint,
      ...extra,
    })
  }

  heartbeat(token: string) {
    return this.post('session/heartbeat', { session_token: token, license_key: this.licenseKey })
  }

  end(token: string) {
    return this.post('session/end', { session_token: token })
  }

  deactivate(fingerprint: string) {
    return this.post('deactivate', {
      license_key: this.licenseKey,
      hardware_fingerprint: fingerprint,
    })
  }
}

/** Every session of a license, live or ended, oldest first. */
export async function sessionsOf(licenseId: number) {
  const live = await db
    .from('license_sessions')
    .where('license_id', licenseId)
    .select('id', 'fingerprint', 'started_at', 'expires_at')
  const ended = await db
    .from('session_history')
    .where('license_id', licenseId)
    .select('id', 'fingerprint', 'started_at', 'ended_at', 'end_reason')
  return {
    live,
    ended,
    all: [
      ...live.map((row) => ({ ...row, end: row.expires_at as Date, end_reason: null })),
      ...ended.map((row) => ({ ...row, end: row.ended_at as Date })),
    ].sort((a, b) => a.started_at.getTime() - b.started_at.getTime()),
  }
}

/** How many sessions of a license are live, and how the others ended. */
export async function sessionOutcomes(licenseId: number) {
  const { live, ended } = await sessionsOf(licenseId)
  return { live: live.length, ended: ended.map((row) => row.end_reason) }
}

/**
 * The most sessions of one license that were ever live at the same moment,
 * from the history and the live table: the proof that a limit held.
 */
export async function peakConcurrentSessions(licenseId: number) {
  const { all } = await sessionsOf(licenseId)
  const edges = all.flatMap((session) => [
    { at: session.started_at.getTime(), delta: 1 },
    { at: session.end.getTime(), delta: -1 },
  ])
  // Ends sort before starts at the same instant: [start, end) intervals.
  edges.sort((a, b) => a.at - b.at || a.delta - b.delta)
  let current = 0
  let peak = 0
  for (const edge of edges) {
    current += edge.delta
    peak = Math.max(peak, current)
  }
  return peak
}

type Pending = PromiseLike<{ body(): any; assertStatus(status: number): void }>

/** The body of a response, for requests whose status the test does not check. */
export async function bodyOf(request: Pending) {
  const response = await request
  return response.body()
}

export async function expectStatus(request: Pending, status: number) {
  const response = await request
  response.assertStatus(status)
  return response
}

/**
 * Heartbeats every second and a 3 s timeout for the test server, for
 * tests where real clients beat in real time. Returns the undo.
 */
export function useFastHeartbeats() {
  app.config.set('sessions.heartbeatInterval', 1)
  app.config.set('sessions.timeout', 3)
  return () => {
    app.config.set('sessions.heartbeatInterval', 30)
    app.config.set('sessions.timeout', 60)
  }
}
