/*
| `npm run bench -- --history`: does a heartbeat cost more when the tables
| have a long history? Seeds 20 million rows of heartbeat log (this month's
| partition) and 5 million rows of session history, then the same
| full-speed heartbeat run as at the start, on empty history, runs again.
*/
import type pg from 'pg'
import type { Harness } from './harness.ts'

export const HISTORY_HEARTBEATS = 20_000_000
export const HISTORY_SESSIONS = 5_000_000
/** Rows per INSERT: big enough to be quick, small enough to keep memory flat. */
const SLICE = 2_000_000

export async function seedHistory(harness: Harness, client: pg.Client) {
  const started = performance.now()
  const {
    rows: [range],
  } = await client.query(
    `SELECT min(id)::bigint AS first, (max(id) - min(id) + 1)::bigint AS count FROM licenses`
  )
  harness.step(
    `history: seeding ${HISTORY_SESSIONS.toLocaleString('en')} ended sessions and ` +
      `${HISTORY_HEARTBEATS.toLocaleString('en')} logged heartbeats`
  )
  for (let from = 0; from < HISTORY_SESSIONS; from += SLICE) {
    await client.query(
      `INSERT INTO session_history
         (id, license_id, fingerprint, token_hash, policy, heartbeat_count, started_at,
          last_heartbeat_at, ended_at, end_reason)
       SELECT 1000000000 + n, $1 + n % $2, 'history-' || n, md5(n::text) || md5((-n)::text),
              'resumable', 60, now() - interval '40 days' + n * interval '0.5 seconds',
              now() - interval '40 days' + n * interval '0.5 seconds' + interval '30 minutes',
              now() - interval '40 days' + n * interval '0.5 seconds' + interval '31 minutes',
              'normal'
         FROM generate_series($3::bigint, $4::bigint) AS n`,
      [range.first, range.count, from + 1, Math.min(from + SLICE, HISTORY_SESSIONS)]
    )
  }
  // This month's partition: every row lands where today's beats go.
  for (let from = 0; from < HISTORY_HEARTBEATS; from += SLICE) {
    await client.query(
      `INSERT INTO session_heartbeats (session_id, license_id, at)
       SELECT 1000000000 + n % $5, $1 + n % $2,
              date_trunc('month', now()) + (now() - date_trunc('month', now())) * (n::float8 / $6)
         FROM generate_series($3::bigint, $4::bigint) AS n`,
      [
        range.first,
        range.count,
        from + 1,
        Math.min(from + SLICE, HISTORY_HEARTBEATS),
        HISTORY_SESSIONS,
        HISTORY_HEARTBEATS,
      ]
    )
  }
  await client.query('VACUUM (ANALYZE) session_history, session_heartbeats')
  return Math.round((performance.now() - started) / 1000)
}
