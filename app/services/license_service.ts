import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import License, { type LicenseStatus, type StoredLicenseStatus } from '#models/license'
import Device from '#models/device'
import AuditTrail from '#services/audit_trail'
import { SessionLedger } from '#services/session_ledger'
import { ClientConfigRegistry, type UpdateNotice } from '#services/client_config'
import { LeaseService } from '#services/lease_service'
import { TransferTerms, countsAgainstTerms } from '#services/transfer_terms'
import LicenseEntitlements from '#services/license_entitlements'
import { ClientResponseExtensions, type JsonValue } from '#services/client_response_extensions'
import metrics from '#services/metrics/main'
import { licenseUsableSql } from '#rules/license_usable'
import { ApiError, type ApiErrorCode } from '#exceptions/api_error'
import { Clock } from '#support/clock'
import type { Actor } from '#support/actor'
import { normalizeLicenseKey } from '#support/license_keys'
import { expiryFor } from '#support/license_duration'
import { preparedQuery } from '#support/prepared_query'
import { lockLicense, verifySnapshot, type VerifySnapshot } from '#services/license_snapshot'
import { announceAfterCommit, eventActorOf, eventLicenseOf } from '#support/domain_events'

export type VerifyCode =
  'VALID' | 'EXPIRED' | 'SUSPENDED' | 'REVOKED' | 'DEVICE_NOT_ACTIVATED' | 'VERSION_TOO_OLD'

/** The answer of `verify`, before the controller shapes it. */
export interface Verification {
  license: License
  code: VerifyCode
  /** The effective entitlement codes, sorted: when the license is valid. */
  entitlements?: string[]
  update?: UpdateNotice
  lease?: string
  /** The license's active devices, for its view. */
  devicesInUse: number
  /** Fields plugins add to the answer (ClientResponseExtensions), in order. */
  extensions: Record<string, JsonValue>
}

type DeviceDetails = { name?: string | null; type?: string | null }

const REFUSAL_FOR_STATUS = {
  expired: 'LICENSE_EXPIRED',
  suspended: 'LICENSE_SUSPENDED',
  revoked: 'LICENSE_REVOKED',
} as const satisfies Record<Exclude<LicenseStatus, 'active' | 'grace'>, ApiErrorCode>

const DEVICE_LIMIT_CONSTRAINT = 'devices_within_max_devices'

/**
 * How fresh a device's `last_seen_at` is kept by verify: a verify writes it
 * only when it is older than this, so that most verifies are reads and
 * commit no WAL.
 */
export const DEVICE_SEEN_RESOLUTION_SECONDS = 60

/** Brings a device's last_seen_at ($2) up to date, unless another call did meanwhile. */
const TOUCH_DEVICE = `UPDATE devices SET last_seen_at = $2
  WHERE id = $1 AND last_seen_at < $2::timestamptz - interval '${DEVICE_SEEN_RESOLUTION_SECONDS} seconds'`

/**
 * @throws ApiError `403 LICENSE_EXPIRED`, `LICENSE_SUSPENDED` or
 * `LICENSE_REVOKED` for a status a client may not use (`active` and
 * `grace` are usable).
 */
export function assertUsableStatus(status: LicenseStatus) {
  if (status !== 'active' && status !== 'grace') throw new ApiError(REFUSAL_FOR_STATUS[status])
}

/** The device limit refused this license on this fingerprint. */
function deviceLimitReached(license: License, fingerprint: string) {
  return new ApiError('DEVICE_LIMIT_REACHED').concerning({
    license: eventLicenseOf(license),
    limit: { kind: 'devices', max: license.maxDevices },
    fingerprint,
  })
}

function isDeviceLimitViolation(error: unknown) {
  return (error as { constraint?: string })?.constraint === DEVICE_LIMIT_CONSTRAINT
}

/**
 * The client-facing life of a license: activating and deactivating devices,
 * verifying, and the single-use activation of the older validation servers.
 * Every change runs in one transaction that locks the license row first, so
 * concurrent requests for one license queue up and the limits hold.
 */
@inject()
export default class LicenseService {
  constructor(
    protected clock: Clock,
    protected clientConfig: ClientConfigRegistry,
    protected leases: LeaseService,
    protected ledger: SessionLedger,
    protected audit: AuditTrail,
    protected extensions: ClientResponseExtensions,
    protected entitlements: LicenseEntitlements,
    protected transferTerms: TransferTerms
  ) {}

  async find(licenseKey: string, client?: TransactionClientContract) {
    const license = await License.query({ client })
      .where('key', normalizeLicenseKey(licenseKey))
      .preload('product')
      .first()
    if (!license) throw new ApiError('LICENSE_NOT_FOUND')
    return license
  }

  async countActiveDevices(licenseId: number, client?: TransactionClientContract) {
    const row = await (client ?? db)
      .from('devices')
      .where({ license_id: licenseId, active: true })
      .count('* as total')
      .first()
    return Number(row?.total ?? 0)
  }

  /**
   * Locks the license row for the rest of the transaction: every change to
   * a license's devices and sessions queues up behind this lock.
   */
  async lock(trx: TransactionClientContract, licenseKey: string) {
    return lockLicense(trx, licenseKey)
  }

  /**
   * @throws ApiError `403 LICENSE_EXPIRED`, `LICENSE_SUSPENDED` or
   * `LICENSE_REVOKED` unless the license is usable (#rules/license_usable).
   */
  assertUsable(license: License, now: DateTime) {
    assertUsableStatus(license.statusAt(now))
  }

  /**
   * The first activation starts the clock of a license that counts from it,
   * exactly once.
   */
  protected async markFirstActivation(
    license: License,
    now: DateTime,
    trx: TransactionClientContract
  ) {
    if (license.activatedAt) return
    license.activatedAt = now
    if (license.expiryBasis === 'first_activation') {
      license.expiresAt = expiryFor(license.type, now)
    }
    license.useTransaction(trx)
    await license.save()
  }

  protected async bindDevice(
    trx: TransactionClientContract,
    license: License,
    fingerprint: string,
    details: DeviceDetails,
    now: DateTime
  ) {
    const inUse = await this.countActiveDevices(license.id, trx)
    if (inUse >= license.maxDevices) throw deviceLimitReached(license, fingerprint)

    const previous = await Device.query({ client: trx })
      .where({ licenseId: license.id, fingerprint })
      .orderBy('id', 'desc')
      .first()
    const device = previous ?? new Device()
    device.useTransaction(trx)
    device.merge({
      licenseId: license.id,
      fingerprint,
      name: details.name ?? previous?.name ?? null,
      type: details.type ?? previous?.type ?? null,
      active: true,
      deactivatedAt: null,
      lastSeenAt: now,
    })
    if (!previous) device.firstActivatedAt = now
    try {
      await device.save()
    } catch (error) {
      if (isDeviceLimitViolation(error)) throw deviceLimitReached(license, fingerprint)
      throw error
    }
    trx.after('commit', () => metrics.activated())
    return device
  }

  /**
   * The license's active device with this fingerprint, binding it first when
   * there is none (which needs a free slot). Runs inside the caller's
   * transaction, after `lock`.
   */
  async ensureDevice(
    trx: TransactionClientContract,
    license: License,
    input: { fingerprint: string } & DeviceDetails,
    now: DateTime,
    actor: Actor
  ) {
    const existing = await Device.query({ client: trx })
      .where({ licenseId: license.id, fingerprint: input.fingerprint, active: true })
      .first()
    if (existing) {
      existing.useTransaction(trx)
      existing.lastSeenAt = now
      await existing.save()
      return { device: existing, created: false }
    }

    const device = await this.bindDevice(trx, license, input.fingerprint, input, now)
    const wasUsed = license.used
    await this.markFirstActivation(license, now, trx)
    await this.audit.record(trx, actor, {
      action: 'device.activated',
      subjectType: 'license',
      subjectId: license.id,
      after: {
        device_id: device.id,
        fingerprint: device.fingerprint,
        name: device.name,
        ...(wasUsed ? {} : { first_activation: true, expires_at: license.expiresAt?.toISO() }),
      },
    })
    return { device, created: true }
  }

  /**
   * Binds a device to a license. The same fingerprint again is the same
   * device (`created: false`); a new one needs a free slot.
   */
  async activate(input: { licenseKey: string; fingerprint: string } & DeviceDetails, actor: Actor) {
    const now = this.clock.now()
    return db.transaction(async (trx) => {
      const license = await this.lock(trx, input.licenseKey)
      this.assertUsable(license, now)
      const { device, created } = await this.ensureDevice(trx, license, input, now, actor)
      return { license, device, created }
    })
  }

  /**
   * Frees the device's slot and ends its live sessions (`deactivated`) in the
   * same transaction. Its row stays (history); a later activation of the
   * same fingerprint reuses it. A client's own deactivation counts against
   * the product's transfer cooldown and quota, and is refused by them
   * (`429 TRANSFER_COOLDOWN`, `TRANSFER_QUOTA_EXCEEDED`); an admin's is not.
   */
  async deactivate(input: { licenseKey: string; fingerprint: string }, actor: Actor) {
    const now = this.clock.now()
    return db.transaction(async (trx) => {
      const license = await this.lock(trx, input.licenseKey)
      const device = await Device.query({ client: trx })
        .where({ licenseId: license.id, fingerprint: input.fingerprint, active: true })
        .first()
      if (!device) throw new ApiError('DEVICE_NOT_FOUND')
      if (countsAgainstTerms(actor)) await this.transferTerms.assertAllowed(trx, license, now)
      device.useTransaction(trx)
      device.merge({ active: false, deactivatedAt: now })
      await device.save()
      trx.after('commit', () => metrics.deactivated())
      const ended = await this.ledger.end(
        trx,
        { deviceId: device.id },
        'deactivated',
        now.toJSDate(),
        actor.label ?? null
      )
      await this.audit.record(trx, actor, {
        action: 'device.deactivated',
        subjectType: 'license',
        subjectId: license.id,
        before: { device_id: device.id, fingerprint: device.fingerprint, active: true },
        after: { device_id: device.id, active: false, sessions_ended: ended.length },
      })
      await this.transferTerms.record(trx, {
        license,
        kind: 'deactivation',
        deviceId: device.id,
        fromFingerprint: device.fingerprint,
        toFingerprint: null,
        actor,
        at: now,
      })
      return { license, device }
    })
  }

  /**
   * Suspends, revokes or reactivates a license. Leaving `active` ends the
   * license's live sessions (`license`) in the same transaction, so their
   * next heartbeat tells the clients to stop.
   */
  async setStatus(
    licenseKey: string,
    status: StoredLicenseStatus,
    actor: Actor,
    options: { announce?: boolean } = {}
  ) {
    const now = this.clock.now()
    return db.transaction(async (trx) => {
      const license = await this.lock(trx, licenseKey)
      const before = license.status
      if (before === status) return { license, changed: false, sessionsEnded: 0 }
      license.useTransaction(trx)
      license.status = status
      await license.save()
      // A bulk change announces its licenses in one event instead (setStatusOfMany).
      if (options.announce !== false) {
        announceAfterCommit(trx, 'license:status_changed', () => ({
          licenses: [eventLicenseOf(license)],
          status,
          actor: eventActorOf(actor),
        }))
      }
      const ended =
        status === 'active'
          ? []
          : await this.ledger.end(
              trx,
              { licenseId: license.id },
              'license',
              now.toJSDate(),
              actor.label ?? null
            )
      await this.audit.record(trx, actor, {
        action: 'license.status_changed',
        subjectType: 'license',
        subjectId: license.id,
        before: { status: before },
        after: { status, sessions_ended: ended.length },
      })
      return { license, changed: true, sessionsEnded: ended.length }
    })
  }

  /**
   * Answers whether the license may be used (on this device, by this client
   * version). The license's own state comes first; a client version below
   * the product's minimum is refused with `426 VERSION_TOO_OLD`, like a
   * session start. A valid answer for an active device carries a signed
   * lease for offline use. Nothing but the device's last-seen time changes.
   */
  async verify(input: {
    licenseKey: string
    fingerprint?: string | null
    version?: string | null
  }): Promise<Verification> {
    const now = this.clock.now()
    const snapshot = await verifySnapshot(input.licenseKey, input.fingerprint ?? null)
    const answer = await this.verification(snapshot, input, now)
    const { license, devicesInUse } = snapshot
    const extensions = await this.extensions.collect('verify', {
      license,
      product: license.product,
      fingerprint: input.fingerprint ?? null,
      now,
      code: answer.code,
    })
    return { ...answer, devicesInUse, extensions }
  }

  protected async verification(
    { license, entitlements, device }: VerifySnapshot,
    input: { fingerprint?: string | null; version?: string | null },
    now: DateTime
  ): Promise<Omit<Verification, 'extensions' | 'devicesInUse'>> {
    const status = license.statusAt(now)
    // In its grace an expired license still verifies; its view says `grace`.
    if (status !== 'active' && status !== 'grace') {
      return { license, code: status.toUpperCase() as VerifyCode }
    }
    const code: VerifyCode = 'VALID'

    const { update } = await this.clientConfig.admit({
      productId: license.productId,
      version: input.version ?? null,
    })
    const answer = update ? { license, code, update } : { license, code }
    if (!input.fingerprint) return { ...answer, entitlements }

    if (!device) return { ...answer, code: 'DEVICE_NOT_ACTIVATED' }
    const moment = now.toJSDate()
    if (device.lastSeenAt.getTime() < moment.getTime() - DEVICE_SEEN_RESOLUTION_SECONDS * 1000) {
      await preparedQuery('keyward_verify_touch_device', TOUCH_DEVICE, [device.id, moment])
    }
    const lease = await this.leases.issue(license, input.fingerprint, now, entitlements)
    return lease ? { ...answer, entitlements, lease } : { ...answer, entitlements }
  }

  /**
   * `POST /api/license/entitlements/check`: whether the license, usable
   * now, has every entitlement asked for. Codes outside the product's
   * catalogue are simply missing.
   *
   * @returns the license's effective codes, when none is missing
   * @throws ApiError `403 ENTITLEMENTS_MISSING` with `missing` (the codes
   * asked for that the license lacks, in the order asked, once each)
   */
  async checkEntitlements(input: { licenseKey: string; entitlements: readonly string[] }) {
    const license = await this.find(input.licenseKey)
    this.assertUsable(license, this.clock.now())
    const effective = await this.entitlements.effectiveFor(license)
    const has = new Set(effective)
    const missing = [...new Set(input.entitlements)].filter((code) => !has.has(code))
    if (missing.length > 0) throw new ApiError('ENTITLEMENTS_MISSING', { missing })
    return effective
  }

  /**
   * `POST /api/activate` of the older validation servers: a key is bound to
   * one fingerprint at a time. The same fingerprint again succeeds unchanged;
   * once the binding is deactivated, the key may move to another fingerprint,
   * but its clock keeps running from the first activation.
   */
  async activateSingleUse(input: { licenseKey: string; fingerprint: string }, actor: Actor) {
    const now = this.clock.now()
    return db.transaction(async (trx) => {
      const license = await this.lock(trx, input.licenseKey)
      this.assertUsable(license, now)

      const devices = await Device.query({ client: trx }).where({
        licenseId: license.id,
        active: true,
      })
      const same = devices.find((device) => device.fingerprint === input.fingerprint)
      if (same) return { license, device: same, created: false }
      if (devices.length > 0) {
        throw new ApiError('LICENSE_ALREADY_USED').concerning({
          license: eventLicenseOf(license),
          fingerprint: input.fingerprint,
        })
      }

      const device = await this.bindDevice(trx, license, input.fingerprint, { type: 'domain' }, now)
      await this.markFirstActivation(license, now, trx)
      await this.audit.record(trx, actor, {
        action: 'license.single_use_activated',
        subjectType: 'license',
        subjectId: license.id,
        after: {
          device_id: device.id,
          fingerprint: device.fingerprint,
          expires_at: license.expiresAt?.toISO() ?? null,
        },
      })
      return { license, device, created: true }
    })
  }

  /**
   * Totals for `GET /api/stats`: used means activated at least once;
   * available means unused and still usable (active, not expired).
   */
  async stats() {
    const now = this.clock.now().toJSDate()
    const rows = await db
      .from('licenses')
      .select('type')
      .count('* as total')
      .select(db.raw('count(*) FILTER (WHERE activated_at IS NOT NULL) AS used'))
      .select(
        db.raw(
          `count(*) FILTER (WHERE activated_at IS NULL AND ${licenseUsableSql(null)}) AS available`,
          { now }
        )
      )
      .groupBy('type')
      .orderBy('type')

    const byType: Record<string, { total: number; used: number; available: number }> = {}
    const totals = { total: 0, used: 0, available: 0 }
    for (const row of rows) {
      const figures = {
        total: Number(row.total),
        used: Number(row.used),
        available: Number(row.available),
      }
      byType[row.type] = figures
      totals.total += figures.total
      totals.used += figures.used
      totals.available += figures.available
    }
    return { ...totals, by_type: byType }
  }
}
