import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import encryption from '@adonisjs/core/services/encryption'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { DateTime } from 'luxon'
import type License from '#models/license'
import LicenseService from '#services/license_service'
import { LeaseService } from '#services/lease_service'
import AuditTrail from '#services/audit_trail'
import { SessionLedger, type EndReason } from '#services/session_ledger'
import {
  SessionPolicyRegistry,
  type LiveSessionSummary,
  type PolicyLicense,
  type PolicyProduct,
} from '#services/session_policies'
import { ClientResponseExtensions, type JsonValue } from '#services/client_response_extensions'
import {
  ClientConfigRegistry,
  type SessionTiming,
  type UpdateNotice,
} from '#services/client_config'
import { ApiError } from '#exceptions/api_error'
import { eventLicenseOf } from '#support/domain_events'
import { Clock } from '#support/clock'
import type { Actor } from '#support/actor'
import { generateSessionToken, hashSessionToken } from '#support/license_keys'
import { sessionLiveSql, whereSessionLive } from '#rules/session_live'
import { preparedQuery } from '#support/prepared_query'
import { lockedSnapshot, resumeSnapshot } from '#services/license_snapshot'

const SESSION_LIMIT_CONSTRAINT = 'license_sessions_within_max_sessions'

export interface StartedSession {
  token: string
  resumed: boolean
  /** What the policy decided: a new session, the device's own picked up, or others replaced. */
  outcome: 'created' | 'resumed' | 'replaced'
  timing: SessionTiming
  expiresAt: Date
  license: License
  /** The license's effective entitlement codes, sorted. */
  entitlements: string[]
  /** When the expiry grace ends, for a license in it (so the client can nag); else null. */
  graceEndsAt: DateTime | null
  /** The update notice for the client's version, when there is one. */
  update?: UpdateNotice
  /** The signed lease for offline use, unless the product grants none. */
  lease?: string
  /** Fields plugins add to the answer (ClientResponseExtensions), in order. */
  extensions: Record<string, JsonValue>
}

/** A session as `resume` and `create` leave it, before the answer is completed. */
type OpenedSession = Omit<StartedSession, 'extensions' | 'outcome' | 'entitlements' | 'graceEndsAt'>

const OUTCOMES = { create: 'created', resume: 'resumed', replace: 'replaced' } as const

/**
 * A resume without the license lock ($1 the session, $2 the moment, $3 the
 * client's version, $4 its address): it counts as a heartbeat, and only a
 * session still live is picked up.
 */
const RESUME_IF_LIVE = `UPDATE license_sessions
  SET last_heartbeat_at = $2,
      expires_at = $2::timestamptz + session_timeout * interval '1 second',
      client_version = coalesce($3, client_version),
      ip = coalesce($4, ip)
  WHERE id = $1 AND ${sessionLiveSql(null, '$2')}
  RETURNING token_sealed, expires_at, heartbeat_interval, session_timeout`

type ResumedRow = {
  token_sealed: string
  expires_at: Date
  heartbeat_interval: number
  session_timeout: number
}

/** The session's own token, and its timing, as the resume left it. */
function resumedSession(row: ResumedRow, license: License): OpenedSession {
  return {
    token: encryption.decrypt<string>(row.token_sealed)!,
    resumed: true,
    timing: { heartbeatInterval: row.heartbeat_interval, timeout: row.session_timeout },
    expiresAt: row.expires_at,
    license,
  }
}

function plusSeconds(moment: Date, seconds: number) {
  return new Date(moment.getTime() + seconds * 1000)
}

/** The license as a policy sees it: a frozen copy, not the model. */
function policyLicense(license: License): PolicyLicense {
  return Object.freeze({
    id: license.id,
    key: license.key,
    maxDevices: license.maxDevices,
    maxSessions: license.maxSessions,
    features: Object.freeze(structuredClone(license.features ?? {})),
    sessionPolicy: license.sessionPolicy,
    expiresAt: license.expiresAt?.toJSDate() ?? null,
  })
}

function policyProduct(license: License): PolicyProduct {
  const { id, slug, name } = license.product
  return Object.freeze({ id, slug, name })
}

/** The heartbeat settings of config/sessions.ts, for products whose client configuration sets none. */
export function globalSessionTiming(): SessionTiming {
  return {
    heartbeatInterval: app.config.get<number>('sessions.heartbeatInterval'),
    timeout: app.config.get<number>('sessions.timeout'),
  }
}

/**
 * The session engine: who may use a license right now.
 *
 * A session is live while `expires_at` (last heartbeat + timeout) lies in
 * the future, judged with the clock at each request. `start` serializes on
 * the license row, closes what is no longer live, and lets the license's
 * policy decide; the database trigger on `license_sessions` backs the limit.
 */
@inject()
export default class SessionService {
  constructor(
    protected clock: Clock,
    protected licenses: LicenseService,
    protected policies: SessionPolicyRegistry,
    protected clientConfig: ClientConfigRegistry,
    protected leases: LeaseService,
    protected ledger: SessionLedger,
    protected audit: AuditTrail,
    protected extensions: ClientResponseExtensions
  ) {}

  async start(
    input: { licenseKey: string; fingerprint: string; version?: string | null; ip?: string | null },
    actor: Actor
  ): Promise<StartedSession> {
    const now = this.clock.now()
    const started =
      (await this.resumeOwnSession(input, now)) ?? (await this.startLocked(input, actor, now))
    const lease = await this.leases.issue(
      started.license,
      input.fingerprint,
      now,
      started.entitlements
    )
    return lease ? { ...started, lease } : started
  }

  /**
   * The hot path of a start: a device that holds a live session, under a
   * policy that always resumes it (`resumesOwnSession`), picks it up in two
   * statements (three with the version gate) and no transaction. Null when
   * the locked path has to decide: no such session, a license not usable
   * (the locked path gives the refusal), another policy, or a session that
   * ended in between. Racing an end is safe: the resume updates only a row
   * that is still live, and an end that comes after it ends it.
   */
  protected async resumeOwnSession(
    input: { licenseKey: string; fingerprint: string; version?: string | null; ip?: string | null },
    now: DateTime
  ): Promise<Omit<StartedSession, 'lease'> | null> {
    const moment = now.toJSDate()
    const { license, entitlements, ownSessionId } = await resumeSnapshot(
      input.licenseKey,
      input.fingerprint,
      moment
    )
    if (ownSessionId === null) return null
    const status = license.statusAt(now)
    if (status !== 'active' && status !== 'grace') return null
    if (!this.policies.resolve(license.sessionPolicy).policy.resumesOwnSession) return null
    const terms = await this.clientConfig.admit({
      productId: license.productId,
      version: input.version ?? null,
    })
    const [row] = await preparedQuery<ResumedRow>('keyward_session_resume', RESUME_IF_LIVE, [
      ownSessionId,
      moment,
      input.version ?? null,
      input.ip ?? null,
    ])
    if (!row) return null
    const extensions = await this.extensions.collect('session_start', {
      license,
      product: license.product,
      fingerprint: input.fingerprint,
      now,
    })
    const answer = {
      ...resumedSession(row, license),
      outcome: 'resumed' as const,
      entitlements,
      graceEndsAt: status === 'grace' ? license.graceEndsAt : null,
      extensions,
    }
    return terms.update ? { ...answer, update: terms.update } : answer
  }

  /** A start decided under the license's row lock, by the license's policy. */
  protected async startLocked(
    input: { licenseKey: string; fingerprint: string; version?: string | null; ip?: string | null },
    actor: Actor,
    now: DateTime
  ): Promise<Omit<StartedSession, 'lease'>> {
    const moment = now.toJSDate()
    return db.transaction(async (trx) => {
      const { license, entitlements } = await lockedSnapshot(trx, input.licenseKey)
      this.licenses.assertUsable(license, now)
      const terms = await this.clientConfig.admit(
        { productId: license.productId, version: input.version ?? null },
        trx
      )
      await this.closeStale(trx, license, input.fingerprint, moment)

      const live = await this.liveSessions(trx, license.id, moment)
      const { policy } = this.policies.resolve(license.sessionPolicy)
      const decision = policy.decide({
        maxSessions: license.maxSessions,
        fingerprint: input.fingerprint,
        live,
        license: policyLicense(license),
        product: policyProduct(license),
      })

      const limitReached = (reason?: string) =>
        new ApiError(
          'SESSION_LIMIT_REACHED',
          reason === undefined ? {} : { reason },
          terms.sessionLimitMessage
        ).concerning({
          license: eventLicenseOf(license),
          limit: { kind: 'sessions', max: license.maxSessions },
          fingerprint: input.fingerprint,
        })
      if (decision.action === 'refuse') throw limitReached(decision.reason)
      let session: OpenedSession
      if (decision.action === 'resume') {
        session = await this.resume(trx, decision.sessionId, license, input, moment)
      } else {
        if (decision.action === 'replace') {
          await this.ledger.end(trx, { sessionIds: decision.sessionIds }, 'replaced', moment)
        }
        const timing = terms.timing ?? globalSessionTiming()
        const created = { license, policyName: policy.name, timing, now, actor }
        session = await this.create(trx, created, input, () => limitReached())
      }
      const extensions = await this.extensions.collect('session_start', {
        license,
        product: license.product,
        fingerprint: input.fingerprint,
        now,
        client: trx,
      })
      const outcome = OUTCOMES[decision.action]
      const graceEndsAt = license.statusAt(now) === 'grace' ? license.graceEndsAt : null
      const answer = { ...session, outcome, entitlements, graceEndsAt, extensions }
      return terms.update ? { ...answer, update: terms.update } : answer
    })
  }

  /**
   * Ends, as `timeout`, the license's sessions that no longer hold a place:
   * the expired ones and, under the product's reclaim grace, those of other
   * devices that have sent no heartbeat for at least that long (their
   * program crashed, most likely), before the session timeout would end
   * them. The device's own session stays for the policy to resume.
   */
  protected async closeStale(
    trx: TransactionClientContract,
    license: License,
    fingerprint: string,
    moment: Date
  ) {
    const grace = license.product.reclaimGraceSeconds
    await this.ledger.end(
      trx,
      {
        licenseId: license.id,
        stale: {
          at: moment,
          silentSince: grace === null ? null : plusSeconds(moment, -grace),
          otherThan: fingerprint,
        },
      },
      'timeout',
      moment
    )
  }

  /** What the policy is shown of the license's live sessions, oldest first. */
  protected async liveSessions(trx: TransactionClientContract, licenseId: number, moment: Date) {
    const query = trx
      .from('license_sessions')
      .where('license_id', licenseId)
      .select('id', 'fingerprint', 'started_at', 'last_heartbeat_at')
      .orderBy([
        { column: 'started_at', order: 'asc' },
        { column: 'id', order: 'asc' },
      ])
    const rows = await whereSessionLive(query, 'license_sessions', moment)
    return rows.map((row): LiveSessionSummary => ({
      id: row.id,
      fingerprint: row.fingerprint,
      startedAt: row.started_at,
      lastHeartbeatAt: row.last_heartbeat_at,
    }))
  }

  /**
   * The same device picks up its live session: the session's own token,
   * and the start counts as a heartbeat.
   */
  protected async resume(
    trx: TransactionClientContract,
    sessionId: number,
    license: License,
    input: { version?: string | null; ip?: string | null },
    moment: Date
  ): Promise<OpenedSession> {
    const [row] = await trx
      .from('license_sessions')
      .where('id', sessionId)
      .update({
        last_heartbeat_at: moment,
        expires_at: db.raw("?::timestamptz + session_timeout * interval '1 second'", [moment]),
        client_version: input.version ?? db.raw('client_version'),
        ip: input.ip ?? db.raw('ip'),
      })
      .returning(['token_sealed', 'expires_at', 'heartbeat_interval', 'session_timeout'])
    return resumedSession(row, license)
  }

  protected async create(
    trx: TransactionClientContract,
    session: {
      license: License
      policyName: string
      timing: SessionTiming
      now: DateTime
      actor: Actor
    },
    input: { fingerprint: string; version?: string | null; ip?: string | null },
    limitReached: () => ApiError
  ): Promise<OpenedSession> {
    const { license, policyName, timing, now, actor } = session
    const { device } = await this.licenses.ensureDevice(trx, license, input, now, actor)
    const token = generateSessionToken()
    const moment = now.toJSDate()
    const expiresAt = plusSeconds(moment, timing.timeout)
    try {
      await trx.table('license_sessions').insert({
        license_id: license.id,
        device_id: device.id,
        fingerprint: input.fingerprint,
        token_hash: hashSessionToken(token),
        token_sealed: encryption.encrypt(token),
        policy: policyName,
        client_version: input.version ?? null,
        ip: input.ip ?? null,
        heartbeat_interval: timing.heartbeatInterval,
        session_timeout: timing.timeout,
        started_at: moment,
        last_heartbeat_at: moment,
        expires_at: expiresAt,
      })
    } catch (error) {
      if ((error as { constraint?: string }).constraint === SESSION_LIMIT_CONSTRAINT) {
        throw limitReached()
      }
      throw error
    }
    return { token, resumed: false, timing, expiresAt, license }
  }

  /**
   * A clean end frees the license at once. Ending an ended session again is
   * fine (idempotent); one that had already expired is recorded as such.
   */
  async end(input: { token: string }) {
    const moment = this.clock.now().toJSDate()
    const tokenHash = hashSessionToken(input.token)
    return db.transaction(async (trx) => {
      const [ended] = await this.ledger.end(trx, { tokenHash, liveAt: moment }, 'normal', moment)
      if (ended) return { endReason: ended.end_reason }
      const [timedOut] = await this.ledger.end(trx, { tokenHash }, 'timeout', moment)
      if (timedOut) return { endReason: timedOut.end_reason }
      const previous = await trx
        .from('session_history')
        .where('token_hash', tokenHash)
        .select('end_reason')
        .first()
      if (!previous) throw new ApiError('SESSION_NOT_FOUND')
      return { endReason: previous.end_reason as EndReason }
    })
  }

  /**
   * An admin ends a session; the client learns it (`410 forced`) at its next
   * heartbeat.
   *
   * @returns false when the session was no longer live.
   */
  async forceEnd(sessionId: number, actor: Actor) {
    const moment = this.clock.now().toJSDate()
    return db.transaction(async (trx) => {
      const [ended] = await this.ledger.end(
        trx,
        // Only a live session can be forced: one already past its expiry
        // is left for the sweeper to record as `timeout`.
        { sessionIds: [sessionId], liveAt: moment },
        'forced',
        moment,
        actor.label ?? null
      )
      if (!ended) return false
      await this.audit.record(trx, actor, {
        action: 'session.forced_end',
        subjectType: 'license',
        subjectId: ended.license_id,
        after: { session_id: ended.id, end_reason: 'forced' },
      })
      return true
    })
  }
}
