import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { DateTime } from 'luxon'
import Device from '#models/device'
import DeviceTransfer from '#models/device_transfer'
import type License from '#models/license'
import AuditTrail from '#services/audit_trail'
import LicenseService from '#services/license_service'
import { SessionLedger } from '#services/session_ledger'
import { TransferTerms, countsAgainstTerms, type TransferStanding } from '#services/transfer_terms'
import { ApiError } from '#exceptions/api_error'
import { Clock } from '#support/clock'
import type { Actor } from '#support/actor'

export interface Transferred {
  license: License
  device: Device
  /** The terms after this move: what a client may still do, and from when. */
  standing: TransferStanding
  nextTransferAt: DateTime | null
}

/**
 * Moving a device binding to another fingerprint in one step: the device
 * row keeps its id and history, its fingerprint changes, its live sessions
 * end (`deactivated`). A client's own move counts against the product's
 * cooldown and quota (TransferTerms); an admin's is recorded uncounted.
 */
@inject()
export default class DeviceTransfers {
  constructor(
    protected clock: Clock,
    protected licenses: LicenseService,
    protected terms: TransferTerms,
    protected ledger: SessionLedger,
    protected audit: AuditTrail
  ) {}

  /**
   * `POST /api/license/transfer`, and the panel's action (with the admin as
   * actor). Refusals: `404 DEVICE_NOT_FOUND` when `from` is not an active
   * device of the license; `422 VALIDATION_ERROR` (`to_fingerprint`,
   * `unique`) when `to` is `from` or already active; for a client's own
   * move, the license must be usable and the terms' `429`s apply.
   */
  async transfer(
    input: { licenseKey: string; from: string; to: string; deviceName?: string | null },
    actor: Actor
  ): Promise<Transferred> {
    const now = this.clock.now()
    return db.transaction(async (trx) => {
      const license = await this.licenses.lock(trx, input.licenseKey)
      const counted = countsAgainstTerms(actor)
      // An admin may move a device of any license, as they may edit it.
      if (counted) this.licenses.assertUsable(license, now)
      const device = await this.activeDevice(trx, license, input.from)
      if (!device) throw new ApiError('DEVICE_NOT_FOUND')
      if (input.to === input.from || (await this.activeDevice(trx, license, input.to))) {
        throw ApiError.invalidField('to_fingerprint', 'unique')
      }
      if (counted) await this.terms.assertAllowed(trx, license, now)

      device.useTransaction(trx)
      device.merge({
        fingerprint: input.to,
        name: input.deviceName ?? device.name,
        lastSeenAt: now,
      })
      await device.save()
      const ended = await this.ledger.end(
        trx,
        { deviceId: device.id },
        'deactivated',
        now.toJSDate(),
        actor.label ?? null
      )
      await this.terms.record(trx, {
        license,
        kind: 'transfer',
        deviceId: device.id,
        fromFingerprint: input.from,
        toFingerprint: input.to,
        actor,
        at: now,
      })
      await this.audit.record(trx, actor, {
        action: 'device.transferred',
        subjectType: 'license',
        subjectId: license.id,
        before: { device_id: device.id, fingerprint: input.from },
        after: {
          device_id: device.id,
          fingerprint: input.to,
          counted,
          sessions_ended: ended.length,
        },
      })
      const standing = await this.terms.standing(trx, license, now)
      return { license, device, standing, nextTransferAt: this.terms.nextAllowedAt(standing) }
    })
  }

  protected activeDevice(trx: TransactionClientContract, license: License, fingerprint: string) {
    return Device.query({ client: trx })
      .where({ licenseId: license.id, fingerprint, active: true })
      .first()
  }

  /** A license's moves, newest first, for its page. */
  history(licenseId: number, limit = 50) {
    return DeviceTransfer.query()
      .where('licenseId', licenseId)
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
  }

  /** Where the license stands with its product's transfer terms now. */
  async standingOf(license: License) {
    const standing = await this.terms.standing(db.connection(), license, this.clock.now())
    return { ...standing, nextTransferAt: this.terms.nextAllowedAt(standing) }
  }
}
