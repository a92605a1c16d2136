import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { StrictValues } from '@adonisjs/lucid/types/querybuilder'
import { sessionExpiredSql, sessionLiveSql } from '#rules/session_live'

export const END_REASONS = [
  'normal',
  'timeout',
  'forced',
  'replaced',
  'deactivated',
  'license',
] as const
export type EndReason = (typeof END_REASONS)[number]

/**
 * Which sessions to end: every filter given must match (at least one).
 * `expiredBy` keeps sessions no longer live at that moment, `liveAt` those
 * still live then (see #rules/session_live).
 */
export interface SessionSelector {
  sessionIds?: number[]
  licenseId?: number
  deviceId?: number
  tokenHash?: string
  expiredBy?: Date
  liveAt?: Date
  /** Sessions whose last heartbeat came at or before this moment. */
  silentSince?: Date
  /** Sessions of any other fingerprint than this one. */
  otherThan?: string
  /**
   * Sessions that no longer hold a place at `at`: the expired ones, and,
   * when `silentSince` is given, those of fingerprints other than
   * `otherThan` whose last heartbeat came at or before it.
   */
  stale?: { at: Date; silentSince: Date | null; otherThan: string }
}

export type EndedSession = { id: number; license_id: number; end_reason: EndReason }

function whereFor(selector: SessionSelector): [string, StrictValues[]] {
  const clauses: string[] = []
  const bindings: StrictValues[] = []
  const add = (clause: string, value: StrictValues) => {
    clauses.push(clause)
    bindings.push(value)
  }
  if (selector.sessionIds) add('id = ANY(?::bigint[])', selector.sessionIds)
  if (selector.licenseId !== undefined) add('license_id = ?', selector.licenseId)
  if (selector.deviceId !== undefined) add('device_id = ?', selector.deviceId)
  if (selector.tokenHash !== undefined) add('token_hash = ?', selector.tokenHash)
  if (selector.expiredBy) add(sessionExpiredSql(null), selector.expiredBy)
  if (selector.liveAt) add(sessionLiveSql(null), selector.liveAt)
  if (selector.silentSince) add('last_heartbeat_at <= ?', selector.silentSince)
  if (selector.otherThan !== undefined) add('fingerprint <> ?', selector.otherThan)
  if (selector.stale) {
    const { at, silentSince, otherThan } = selector.stale
    if (silentSince === null) add(sessionExpiredSql(null), at)
    else {
      clauses.push(`(${sessionExpiredSql(null)} OR (last_heartbeat_at <= ? AND fingerprint <> ?))`)
      bindings.push(at, silentSince, otherThan)
    }
  }
  if (clauses.length === 0) throw new Error('endSessions needs at least one filter')
  return [clauses.join(' AND '), bindings]
}

/**
 * The record of how sessions end: it moves their rows from
 * `license_sessions` to `session_history` in one statement, so a session
 * is always in exactly one of the two tables.
 */
export class SessionLedger {
  /**
   * Ends the selected sessions inside the caller's transaction (or on the
   * client given). A session that timed out ends when it expired, not when
   * someone noticed.
   */
  async end(
    client: QueryClientContract,
    selector: SessionSelector,
    reason: EndReason,
    endedAt: Date,
    endedBy: string | null = null
  ): Promise<EndedSession[]> {
    const [where, bindings] = whereFor(selector)
    const endedAtSql = reason === 'timeout' ? 'LEAST(expires_at, ?::timestamptz)' : '?::timestamptz'
    const result = await client.rawQuery(
      `WITH ended AS (
         DELETE FROM license_sessions WHERE ${where}
         RETURNING *
       )
       INSERT INTO session_history (
         id, license_id, device_id, fingerprint, token_hash, policy, client_version, ip,
         heartbeat_count, started_at, last_heartbeat_at, ended_at, end_reason, ended_by
       )
       SELECT id, license_id, device_id, fingerprint, token_hash, policy, client_version, ip,
         heartbeat_count, started_at, last_heartbeat_at,
         GREATEST(started_at, ${endedAtSql}), ?, NULLIF(?, '')
       FROM ended
       RETURNING id, license_id, end_reason`,
      [...bindings, endedAt, reason, endedBy ?? '']
    )
    return result.rows
  }

  /**
   * The sweeper's work: every session that is no longer live goes to the
   * history as `timeout`. Guarded by a transaction-scoped advisory lock, so
   * with several workers one sweeps and the others skip that round.
   *
   * @returns how many sessions were moved, or null when another sweep ran.
   */
  async sweepExpired(now: Date): Promise<number | null> {
    return db.transaction(async (trx) => {
      const lock = await trx.rawQuery(
        `SELECT pg_try_advisory_xact_lock(hashtext('keyward:sessions:sweep')) AS acquired`
      )
      if (!lock.rows[0].acquired) return null
      const ended = await this.end(trx, { expiredBy: now }, 'timeout', now)
      return ended.length
    })
  }
}
