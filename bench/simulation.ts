/*
| `npm run bench -- --simulate`: 100,000 running copies on one machine.
|
| Seeds 1 million licenses (the 32,000 of the bench and filler), 100,000 of
| them with a live session, plus 1,000 sessions that stop beating and expire
| during the run; starts the job worker next to the server; sends heartbeats
| for 60 s at 3,333 per second (100,000 clients at the SDK's 30 s interval),
| each client's beats in random order, as the SDK's jitter spreads them;
| then checks that every beat was answered 200 and logged, and that the
| sweeper moved every expired session to the history while it ran.
*/
import { randomInt } from 'node:crypto'
import type { AutocannonRequest } from 'autocannon'
import {
  generateLicenseKey,
  generateSessionToken,
  hashSessionToken,
} from '../app/support/license_keys.ts'
import { HEARTBEAT_PATH, apiHeaders, type Prepared } from './setup.ts'
import type { Harness } from './harness.ts'

export const SIMULATED_CLIENTS = 100_000
export const SIMULATED_LICENSES = 1_000_000
export const SIMULATED_RATE = 3333
export const SIMULATED_SECONDS = 60
/** Enough connections that 3,333 requests/s fit even at 50 ms each. */
export const SIMULATION_CONNECTIONS = 200
/** Sessions that stop beating: the sweeper must end each while the load runs. */
const SILENT_SESSIONS = 1000
/** The silent sessions expire this many seconds into the run. */
const SILENT_FOR_SECONDS = 15

export type SimulationFigures = {
  clients: number
  licenses: number
  rate: number
  seconds: number
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  non2xx: number
  errors: number
  heartbeatsLogged: number
  answered200: number
  silentSessions: number
  silentLeftLive: number
  seedSeconds: number
  valid: boolean
  remark?: string
}

async function seedSimulation(prepared: Prepared) {
  const { client } = prepared
  const {
    rows: [product],
  } = await client.query(`SELECT id FROM products WHERE slug = 'bench'`)
  const {
    rows: [{ count: existing }],
  } = await client.query('SELECT count(*)::int AS count FROM licenses')
  // Filler: licenses nobody runs, so that every lookup works on a table of a million.
  await client.query(
    `INSERT INTO licenses (key, product_id, type, expiry_basis, status, max_devices, max_sessions, session_policy)
     SELECT 'SIM-FILL-' || n, $1, 'perpetual', 'creation', 'active', 1, 1, 'resumable'
       FROM generate_series(1, $2::int) AS n`,
    [product.id, SIMULATED_LICENSES - existing - SIMULATED_CLIENTS - SILENT_SESSIONS]
  )
  const clients = Array.from({ length: SIMULATED_CLIENTS + SILENT_SESSIONS }, (_, index) => ({
    licenseKey: generateLicenseKey(),
    token: generateSessionToken(),
    silent: index >= SIMULATED_CLIENTS,
  }))
  // Never read on the heartbeat path; the panel would show a sealed token of a real session.
  const sealed = 'bench-simulated'
  // In slices: one statement of 101,000 rows would hold a lot of memory for little gain.
  for (let from = 0; from < clients.length; from += 10_000) {
    const slice = clients.slice(from, from + 10_000)
    await client.query(
      `WITH l AS (
         INSERT INTO licenses (key, product_id, type, expiry_basis, status, max_devices, max_sessions, session_policy)
         SELECT k, $1, 'perpetual', 'creation', 'active', 1, 1, 'resumable' FROM unnest($2::text[]) AS k
         RETURNING id, key
       ), input AS (
         SELECT * FROM unnest($2::text[], $3::text[], $4::bool[]) AS i(key, token_hash, silent)
       ), d AS (
         INSERT INTO devices (license_id, fingerprint, active, first_activated_at, last_seen_at, created_at, updated_at)
         SELECT l.id, 'sim-device-' || l.id, true, now(), now(), now(), now() FROM l
         RETURNING id, license_id, fingerprint
       )
       INSERT INTO license_sessions
         (license_id, device_id, fingerprint, token_hash, token_sealed, policy, heartbeat_interval,
          session_timeout, started_at, last_heartbeat_at, expires_at)
       SELECT l.id, d.id, d.fingerprint, input.token_hash, $5, 'resumable', 30, 900, now(), now(),
              CASE WHEN input.silent THEN now() + make_interval(secs => $6) ELSE now() + interval '900 seconds' END
         FROM l JOIN d ON d.license_id = l.id JOIN input ON input.key = l.key`,
      [
        product.id,
        slice.map((one) => one.licenseKey),
        slice.map((one) => hashSessionToken(one.token)),
        slice.map((one) => one.silent),
        sealed,
        SILENT_FOR_SECONDS,
      ]
    )
  }
  await client.query('VACUUM (ANALYZE) licenses, devices, license_sessions')
  return {
    beating: clients.filter((one) => !one.silent),
    silentHashes: clients.filter((one) => one.silent).map((one) => hashSessionToken(one.token)),
  }
}

/** Each client's beat in a random order of all clients, round after round. */
function jitteredBeats(apiKey: string, clients: { licenseKey: string; token: string }[]) {
  const bodies = clients.map((one) =>
    Buffer.from(JSON.stringify({ session_token: one.token, license_key: one.licenseKey }))
  )
  let order: number[] = []
  let at = 0
  const request: AutocannonRequest = {
    method: 'POST',
    path: HEARTBEAT_PATH,
    headers: apiHeaders(apiKey),
    setupRequest(outgoing) {
      if (at >= order.length) {
        // A new round: a fresh shuffle, as the SDK's jitter reorders clients every interval.
        order = bodies.map((_, index) => index)
        for (let index = order.length - 1; index > 0; index--) {
          const other = randomInt(index + 1)
          ;[order[index], order[other]] = [order[other], order[index]]
        }
        at = 0
      }
      outgoing.body = bodies[order[at++]]
      return outgoing
    },
  }
  return [request]
}

export async function simulate(
  harness: Harness,
  prepared: Prepared,
  drive: (requests: AutocannonRequest[]) => Promise<{
    requestsPerSecond: number
    p50Ms: number
    p99Ms: number
    non2xx: number
    errors: number
    statusCodes: Record<string, number>
  }>
): Promise<SimulationFigures> {
  const { client } = prepared
  harness.step(
    `simulation: seeding ${SIMULATED_LICENSES.toLocaleString('en')} licenses, ` +
      `${SIMULATED_CLIENTS.toLocaleString('en')} live sessions and ${SILENT_SESSIONS} that go silent`
  )
  const seedStarted = performance.now()
  const { beating, silentHashes } = await seedSimulation(prepared)
  const seedSeconds = Math.round((performance.now() - seedStarted) / 1000)
  harness.step(`simulation: seeded in ${seedSeconds}s; starting the job worker (the sweeper)`)
  const worker = await prepared.startWorker({ SESSION_SWEEP_EVERY: '5s' })

  const {
    rows: [{ count: loggedBefore }],
  } = await client.query('SELECT count(*)::int AS count FROM session_heartbeats')
  harness.step(
    `simulation: heartbeats at ${SIMULATED_RATE}/s for ${SIMULATED_SECONDS}s, ` +
      `${SIMULATION_CONNECTIONS} connections, clients in random order`
  )
  const measured = await drive(jitteredBeats(prepared.apiKey, beating))
  const {
    rows: [{ count: loggedAfter }],
  } = await client.query('SELECT count(*)::int AS count FROM session_heartbeats')
  const {
    rows: [{ count: silentLeftLive }],
  } = await client.query(
    'SELECT count(*)::int AS count FROM license_sessions WHERE token_hash = ANY($1::text[])',
    [silentHashes]
  )
  await worker.stop()

  const answered200 = measured.statusCodes['200'] ?? 0
  const heartbeatsLogged = loggedAfter - loggedBefore
  const remarks: string[] = []
  if (measured.non2xx > 0 || measured.errors > 0) remarks.push('some beats failed')
  if (heartbeatsLogged < answered200)
    remarks.push(`${answered200} answered but ${heartbeatsLogged} logged`)
  if (silentLeftLive > 0) remarks.push(`${silentLeftLive} expired sessions were not swept`)
  return {
    clients: SIMULATED_CLIENTS,
    licenses: SIMULATED_LICENSES,
    rate: SIMULATED_RATE,
    seconds: SIMULATED_SECONDS,
    requestsPerSecond: measured.requestsPerSecond,
    p50Ms: measured.p50Ms,
    p99Ms: measured.p99Ms,
    non2xx: measured.non2xx,
    errors: measured.errors,
    heartbeatsLogged,
    answered200,
    silentSessions: SILENT_SESSIONS,
    silentLeftLive,
    seedSeconds,
    valid: remarks.length === 0,
    ...(remarks.length > 0 ? { remark: remarks.join('; ') } : {}),
  }
}
