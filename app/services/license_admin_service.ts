import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import License, { type StoredLicenseStatus } from '#models/license'
import Device from '#models/device'
import AuditTrail from '#services/audit_trail'
import LicenseService from '#services/license_service'
import { endSessions } from '#services/session_ledger'
import { Clock } from '#support/clock'
import type { Actor } from '#support/actor'

/** A change an admin asked for that the license's rules refuse. */
export class LicenseRuleError extends Error {
  constructor(
    readonly field: 'max_devices' | 'max_sessions' | 'customer_id',
    readonly reason: 'below_active_devices' | 'above_max_devices' | 'unknown_customer'
  ) {
    super(reason)
  }
}

export type LicenseChanges = {
  status?: StoredLicenseStatus
  maxDevices?: number
  maxSessions?: number
  customerId?: number | null
  sessionPolicy?: string | null
  notes?: string | null
}

const view = (license: License) => ({
  status: license.status,
  max_devices: license.maxDevices,
  max_sessions: license.maxSessions,
  customer_id: license.customerId,
  session_policy: license.sessionPolicy,
  notes: license.notes,
})

/**
 * What admins change on licenses from the panel. Every change runs with the
 * license row locked, writes one audit row with before and after, and ends
 * live sessions when the license leaves `active` (as `license:status` does).
 */
@inject()
export default class LicenseAdminService {
  constructor(protected clock: Clock) {}

  async update(licenseId: number, changes: LicenseChanges, actor: Actor) {
    return db.transaction(async (trx) => {
      const license = await License.query({ client: trx })
        .where('id', licenseId)
        .forUpdate()
        .firstOrFail()
      return this.apply(trx, license, changes, actor)
    })
  }

  protected async apply(
    trx: TransactionClientContract,
    license: License,
    changes: LicenseChanges,
    actor: Actor
  ) {
    const before = view(license)
    const maxDevices = changes.maxDevices ?? license.maxDevices
    const maxSessions = changes.maxSessions ?? license.maxSessions
    if (maxSessions > maxDevices) throw new LicenseRuleError('max_sessions', 'above_max_devices')
    if (changes.maxDevices !== undefined && changes.maxDevices < license.maxDevices) {
      const active = await trx
        .from('devices')
        .where({ license_id: license.id, active: true })
        .count('* as n')
      if (Number(active[0].n) > changes.maxDevices) {
        throw new LicenseRuleError('max_devices', 'below_active_devices')
      }
    }
    if (changes.customerId) {
      const customer = await trx.from('customers').where('id', changes.customerId).first()
      if (!customer) throw new LicenseRuleError('customer_id', 'unknown_customer')
    }

    license.useTransaction(trx)
    license.merge({
      status: changes.status ?? license.status,
      maxDevices,
      maxSessions,
      ...(changes.customerId !== undefined ? { customerId: changes.customerId } : {}),
      ...(changes.sessionPolicy !== undefined ? { sessionPolicy: changes.sessionPolicy } : {}),
      ...(changes.notes !== undefined ? { notes: changes.notes } : {}),
    })
    if (!license.$isDirty) return { license, changed: false, sessionsEnded: 0 }
    await license.save()

    const leftActive = before.status === 'active' && license.status !== 'active'
    const ended = leftActive
      ? await endSessions(
          trx,
          { licenseId: license.id },
          'license',
          this.clock.now().toJSDate(),
          actor.label ?? null
        )
      : []
    const after = view(license)
    const changedKeys = Object.keys(after).filter(
      (key) => (before as any)[key] !== (after as any)[key]
    )
    await AuditTrail.record(trx, actor, {
      action: 'license.updated',
      subjectType: 'license',
      subjectId: license.id,
      before: Object.fromEntries(changedKeys.map((key) => [key, (before as any)[key]])),
      after: {
        ...Object.fromEntries(changedKeys.map((key) => [key, (after as any)[key]])),
        ...(ended.length ? { sessions_ended: ended.length } : {}),
      },
    })
    return { license, changed: true, sessionsEnded: ended.length }
  }

  /**
   * Suspends, reactivates or revokes many licenses; each is changed and
   * audited on its own (through `LicenseService.setStatus`), so one that
   * fails does not undo the others, and the result says how many changed.
   */
  async setStatusOfMany(ids: number[], status: StoredLicenseStatus, actor: Actor) {
    const licenses = await License.query().whereIn('id', ids).select('id', 'key')
    const service = new LicenseService(this.clock)
    let changed = 0
    for (const license of licenses) {
      const result = await service.setStatus(license.key, status, actor)
      if (result.changed) changed++
    }
    return { found: licenses.length, changed }
  }

  async renameDevice(licenseId: number, deviceId: number, name: string | null, actor: Actor) {
    return db.transaction(async (trx) => {
      const device = await Device.query({ client: trx })
        .where({ id: deviceId, licenseId })
        .forUpdate()
        .firstOrFail()
      const before = device.name
      device.useTransaction(trx)
      device.name = name
      await device.save()
      await AuditTrail.record(trx, actor, {
        action: 'device.renamed',
        subjectType: 'license',
        subjectId: licenseId,
        before: { device_id: device.id, name: before },
        after: { device_id: device.id, name },
      })
      return device
    })
  }

  /** Frees a device's slot and ends its sessions (see LicenseService). */
  async deactivateDevice(licenseId: number, deviceId: number, actor: Actor) {
    const device = await Device.query()
      .where({ id: deviceId, licenseId, active: true })
      .preload('license')
      .firstOrFail()
    return new LicenseService(this.clock).deactivate(
      { licenseKey: device.license.key, fingerprint: device.fingerprint },
      actor
    )
  }
}
