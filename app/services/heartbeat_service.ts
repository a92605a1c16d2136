import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import HeartbeatBatcher from '#services/heartbeat_batcher'
import { SessionLedger, type EndReason } from '#services/session_ledger'
import { ClientConfigRegistry, type UpdateNotice } from '#services/client_config'
import { ApiError } from '#exceptions/api_error'
import { Clock } from '#support/clock'
import { hashSessionToken, normalizeLicenseKey } from '#support/license_keys'
import { isLicenseUsable } from '#rules/license_usable'

export interface Heartbeat {
  expiresAt: Date
  update: UpdateNotice | null
}

/**
 * Heartbeats of the client API, the busiest call there is: a service of
 * its own, so that a beat is served by the few parts it needs (the clock,
 * the process's batcher, the update notice, the ledger for the slow path)
 * rather than by everything a session start needs.
 */
@inject()
export default class HeartbeatService {
  constructor(
    protected clock: Clock,
    protected beats: HeartbeatBatcher,
    protected clientConfig: ClientConfigRegistry,
    protected ledger: SessionLedger
  ) {}

  /**
   * Keeps a live session alive. The common case is one statement, shared
   * with the beats of other sessions arriving at the same time
   * (HeartbeatBatcher): it checks the license, moves the session's expiry
   * and logs the beat. Anything else (ended, expired, license no longer
   * usable, unknown token) finds no row and takes the slow path, which
   * says why.
   */
  async heartbeat(input: { token: string; licenseKey: string }): Promise<Heartbeat> {
    const moment = this.clock.now().toJSDate()
    const tokenHash = hashSessionToken(input.token)
    const licenseKey = normalizeLicenseKey(input.licenseKey)
    const beat = await this.beats.beat({ at: moment, tokenHash, licenseKey })
    if (!beat) return this.diagnoseHeartbeat(tokenHash, licenseKey, moment)
    const update = await this.clientConfig.heartbeatUpdate({
      productId: beat.product_id,
      version: beat.client_version,
    })
    return { expiresAt: beat.expires_at, update }
  }

  protected async diagnoseHeartbeat(
    tokenHash: string,
    licenseKey: string,
    moment: Date
  ): Promise<never> {
    const reason = await db.transaction(async (trx): Promise<EndReason | null> => {
      const session = await trx
        .from('license_sessions as s')
        .join('licenses as l', 'l.id', 's.license_id')
        .join('products as p', 'p.id', 'l.product_id')
        .where({ 's.token_hash': tokenHash, 'l.key': licenseKey })
        .select(
          's.id',
          's.expires_at',
          'l.status',
          'l.expires_at as license_expires_at',
          'p.expiry_grace_days'
        )
        .forUpdate('s')
        .first()
      if (session) {
        const licenseUsable = isLicenseUsable(
          {
            status: session.status,
            expiresAt: session.license_expires_at,
            expiryGraceDays: session.expiry_grace_days,
          },
          moment
        )
        const ending: EndReason = licenseUsable ? 'timeout' : 'license'
        await this.ledger.end(trx, { sessionIds: [session.id] }, ending, moment)
        return ending
      }
      const ended = await trx
        .from('session_history as h')
        .join('licenses as l', 'l.id', 'h.license_id')
        .where({ 'h.token_hash': tokenHash, 'l.key': licenseKey })
        .select('h.end_reason')
        .first()
      return ended?.end_reason ?? null
    })
    if (reason) throw new ApiError('SESSION_ENDED', { end_reason: reason })
    throw new ApiError('SESSION_NOT_FOUND')
  }
}
