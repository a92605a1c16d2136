/*
| The statements a heartbeat runs, in a module of their own, so that the
| session service and `npm run bench` (whose pgbench ceiling runs the same
| statement) share one text instead of a copy each. It imports only the two
| rules, by relative path: the bench runs it with plain `node`, which knows
| no `#rules/*` alias to a .ts file.
*/
import { licenseUsableSql } from '../rules/license_usable.ts'
import { sessionLiveSql } from '../rules/session_live.ts'

/** The order of the statements' parameters: $1, $2, $3. */
export const HEARTBEAT_PARAMETERS = ['now', 'tokenHash', 'licenseKey'] as const

/**
 * A heartbeat for a session that is live, of a license that is usable right
 * now, named by its token and its license key.
 */
const HEARTBEAT_UPDATE = `WITH beat AS (
    UPDATE license_sessions AS s
       SET last_heartbeat_at = $1,
           expires_at = $1::timestamptz + s.session_timeout * interval '1 second',
           heartbeat_count = s.heartbeat_count + 1
      FROM licenses AS l
     WHERE s.token_hash = $2 AND l.id = s.license_id AND l.key = $3
       AND ${sessionLiveSql('s', '$1')} AND ${licenseUsableSql('l', '$1')}
    RETURNING s.id, s.license_id, s.expires_at, s.client_version, l.product_id
  )`

/** The heartbeat, logged in `session_heartbeats` (the usage figures read it). */
export const HEARTBEAT_AND_LOG = `${HEARTBEAT_UPDATE}, logged AS (
    INSERT INTO session_heartbeats (session_id, license_id, at)
    SELECT id, license_id, $1 FROM beat
  )
  SELECT expires_at, client_version, product_id FROM beat`

/** The heartbeat alone, for when its month has no partition to log into. */
export const HEARTBEAT_ONLY = `${HEARTBEAT_UPDATE} SELECT expires_at, client_version, product_id FROM beat`

/** The order of HEARTBEATS_AND_LOG's parameters: arrays of equal length, one element per beat. */
export const HEARTBEATS_PARAMETERS = ['moments', 'tokenHashes', 'licenseKeys'] as const

/**
 * Many heartbeats of different sessions in one statement (group commit,
 * app/services/heartbeat_batcher.ts): the same rules and writes as
 * HEARTBEAT_AND_LOG, for every beat its own moment, answering a row for
 * each beat that counted, by token.
 */
export const HEARTBEATS_AND_LOG = `WITH beats AS (
    SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[]) AS b(at, token_hash, license_key)
  ), beat AS (
    UPDATE license_sessions AS s
       SET last_heartbeat_at = b.at,
           expires_at = b.at + s.session_timeout * interval '1 second',
           heartbeat_count = s.heartbeat_count + 1
      FROM beats AS b, licenses AS l
     WHERE s.token_hash = b.token_hash AND l.id = s.license_id AND l.key = b.license_key
       AND ${sessionLiveSql('s', 'b.at')} AND ${licenseUsableSql('l', 'b.at')}
    RETURNING s.token_hash, s.id, s.license_id, s.expires_at, s.client_version, l.product_id, b.at
  ), logged AS (
    INSERT INTO session_heartbeats (session_id, license_id, at)
    SELECT id, license_id, at FROM beat
  )
  SELECT token_hash, expires_at, client_version, product_id FROM beat`
