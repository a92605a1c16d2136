import type { QueryClientContract, TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import type License from '#models/license'
import type { DeviceTransferKind } from '#models/device_transfer'
import { ApiError } from '#exceptions/api_error'
import type { Actor } from '#support/actor'

/**
 * Where a license stands with its product's transfer terms at a moment:
 * how many counted moves (transfers and self-service deactivations) the
 * quota still allows in its period, and until when the cooldown and an
 * exhausted quota hold the next one back.
 */
export interface TransferStanding {
  /** Null: the product sets no quota. */
  transfersLeft: number | null
  /** When the cooldown after the last counted move ends, while it runs. */
  cooldownEndsAt: DateTime | null
  /** When the oldest move the quota counts leaves its period, while the quota is used up (null with a quota of 0: never). */
  quotaFreesAt: DateTime | null
}

/** A move of a device binding, as `device_transfers` records it. */
export interface DeviceMove {
  license: License
  kind: DeviceTransferKind
  deviceId: number
  fromFingerprint: string
  toFingerprint: string | null
  actor: Actor
  at: DateTime
}

/**
 * A client's own move (through an API key) counts against the terms; an
 * admin's or a command's is recorded but never counted, nor refused.
 */
export const countsAgainstTerms = (actor: Actor) => actor.type === 'api_key'

/**
 * The product's transfer cooldown and quota, read from `device_transfers`.
 * Callers hold the license row lock (LicenseService.lock), so the moves of
 * one license are counted and recorded one at a time, in every process.
 */
export class TransferTerms {
  async standing(
    client: QueryClientContract,
    license: License,
    now: DateTime
  ): Promise<TransferStanding> {
    const product = license.product
    const counted = () =>
      client.from('device_transfers').where({ license_id: license.id, counted: true })

    let cooldownEndsAt: DateTime | null = null
    if (product.transferCooldownSeconds > 0) {
      const last = await counted().max('at as at').first()
      const ends = last?.at
        ? DateTime.fromJSDate(last.at).plus({ seconds: product.transferCooldownSeconds })
        : null
      if (ends && ends > now) cooldownEndsAt = ends
    }

    if (product.transferQuota === null)
      return { transfersLeft: null, cooldownEndsAt, quotaFreesAt: null }
    // Days of 24 hours, as the expiry grace's (#rules/license_usable).
    const period = { hours: 24 * product.transferQuotaPeriodDays }
    const recent = await counted()
      .where('at', '>', now.minus(period).toJSDate())
      .orderBy('at', 'desc')
      .limit(product.transferQuota)
      .select('at')
    const transfersLeft = product.transferQuota - recent.length
    // The quota frees up when the oldest of the last `quota` moves leaves the period.
    const oldest = recent.at(-1)
    const quotaFreesAt =
      transfersLeft === 0 && oldest ? DateTime.fromJSDate(oldest.at).plus(period) : null
    return { transfersLeft, cooldownEndsAt, quotaFreesAt }
  }

  /**
   * @throws ApiError `429 TRANSFER_QUOTA_EXCEEDED` or `429 TRANSFER_COOLDOWN`
   * with `retry_at` (ISO) when the terms hold a counted move back: the one
   * that holds it longer, so that a retry at `retry_at` is not refused again
   * by the other.
   */
  async assertAllowed(trx: TransactionClientContract, license: License, now: DateTime) {
    const { transfersLeft, cooldownEndsAt, quotaFreesAt } = await this.standing(trx, license, now)
    // A quota of 0 (nothing ever frees) holds longer than any cooldown.
    const quotaHoldsLonger =
      quotaFreesAt === null || cooldownEndsAt === null || quotaFreesAt >= cooldownEndsAt
    if (transfersLeft === 0 && quotaHoldsLonger) {
      throw new ApiError('TRANSFER_QUOTA_EXCEEDED', {
        retry_at: quotaFreesAt?.toUTC().toISO() ?? null,
      })
    }
    if (cooldownEndsAt) {
      throw new ApiError('TRANSFER_COOLDOWN', { retry_at: cooldownEndsAt.toUTC().toISO() })
    }
  }

  /**
   * When the next counted move is possible; null: right away (or, with a
   * quota of 0, never: `transfersLeft` is 0 then).
   */
  nextAllowedAt(standing: TransferStanding): DateTime | null {
    const held = [
      standing.cooldownEndsAt,
      standing.transfersLeft === 0 ? standing.quotaFreesAt : null,
    ]
    const times = held.filter((at): at is DateTime => at !== null)
    return times.length === 0 ? null : DateTime.max(...times)!
  }

  /** Records a move inside the caller's transaction; counted when the client made it itself. */
  async record(trx: TransactionClientContract, move: DeviceMove) {
    await trx.table('device_transfers').insert({
      license_id: move.license.id,
      kind: move.kind,
      device_id: move.deviceId,
      from_fingerprint: move.fromFingerprint,
      to_fingerprint: move.toFingerprint,
      counted: countsAgainstTerms(move.actor),
      actor_type: move.actor.type,
      actor_label: move.actor.label ?? null,
      at: move.at.toJSDate(),
    })
  }
}
