import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import License, { type ExpiryBasis, type StoredLicenseStatus } from '#models/license'
import Device from '#models/device'
import AuditTrail from '#services/audit_trail'
import { DomainError } from '#exceptions/domain_error'
import LicenseGenerator, { type BatchRequest, withTemplateTerms } from '#services/license_generator'
import LicenseService from '#services/license_service'
import { SessionLedger } from '#services/session_ledger'
import { SessionPolicyRegistry } from '#services/session_policies'
import { ApiError } from '#exceptions/api_error'
import LicenseTemplate from '#models/license_template'
import { TEMPLATE_FIELDS, type TemplateField } from '#validators/catalogue'
import { Clock } from '#support/clock'
import type { Actor } from '#support/actor'
import { announce, announceAfterCommit, eventActorOf, eventLicenseOf } from '#support/domain_events'
import type { EventLicense } from '../../types/events.js'

export type LicenseRuleField =
  | 'max_devices'
  | 'max_sessions'
  | 'customer_id'
  | 'product_id'
  | 'session_policy'
  | 'type'
  | 'status'
  | 'template_id'

export type LicenseRuleReason =
  | 'below_active_devices'
  | 'above_max_devices'
  | 'out_of_range'
  | 'unknown_customer'
  | 'unknown_product'
  | 'unknown_policy'
  | 'invalid_type'
  | 'invalid_status'
  | 'unknown_template'
  | 'template_other_product'

/**
 * A change an admin asked for that the license's rules refuse: a
 * `DomainError` whose code is the reason, shown beside the field with the
 * message `licenses.errors.<reason>`.
 */
export function licenseRefusal(field: LicenseRuleField, reason: LicenseRuleReason) {
  return new DomainError(reason, { field, messageKey: `licenses.errors.${reason}` })
}

/**
 * The database's own rules (migration 0002) by constraint name, as the form
 * field they concern. The checks in this service come first; these catch
 * whatever slips past them (a customer deleted a moment before the save),
 * so a violation is a field error, never a 500.
 */
const CONSTRAINT_RULES: Record<string, [LicenseRuleField, LicenseRuleReason]> = {
  licenses_max_sessions: ['max_sessions', 'above_max_devices'],
  licenses_max_devices: ['max_devices', 'out_of_range'],
  licenses_customer_id_foreign: ['customer_id', 'unknown_customer'],
  licenses_product_id_foreign: ['product_id', 'unknown_product'],
  licenses_type_format: ['type', 'invalid_type'],
  licenses_status: ['status', 'invalid_status'],
}

/** The refusal a violated constraint of `licenses` stands for, or null. */
export function licenseConstraintRefusal(error: unknown) {
  const constraint = (error as { constraint?: string })?.constraint
  const rule = constraint ? CONSTRAINT_RULES[constraint] : undefined
  return rule ? licenseRefusal(...rule) : null
}

async function mappingConstraints<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw licenseConstraintRefusal(error) ?? error
  }
}

export type LicenseChanges = {
  status?: StoredLicenseStatus
  maxDevices?: number
  maxSessions?: number
  customerId?: number | null
  sessionPolicy?: string | null
  notes?: string | null
  /**
   * Fields to take from the license's template again (removed from its
   * `template_overrides`); their values in these changes are ignored.
   */
  followTemplate?: TemplateField[]
}

/**
 * A batch as the panel asks for it: the generator's request with the limits
 * and the expiry basis always given. `batchId` is chosen by the form when it
 * was shown: sending the same form twice (a reload, a double click) issues
 * nothing the second time.
 */
export type IssueRequest = BatchRequest & {
  maxDevices: number
  maxSessions: number
  expiryBasis: ExpiryBasis
}

const view = (license: License) => ({
  status: license.status,
  max_devices: license.maxDevices,
  max_sessions: license.maxSessions,
  customer_id: license.customerId,
  session_policy: license.sessionPolicy,
  notes: license.notes,
  template_overrides: [...license.templateOverrides].sort(),
})

/** The settings a license may keep apart from its template, as license and template hold them. */
type TemplatedSettings = {
  maxDevices: number
  maxSessions: number
  sessionPolicy: string | null
}

/**
 * A license's device, session and policy settings after `changes`, and
 * which of them it keeps apart from its template (`overrides`): a field it
 * follows again takes the template's value; a field changed to another
 * value than it had becomes its own. The panel's edit forms show the
 * current values, so a field left as it was stays as it was, following or
 * not. Without a template there is nothing to follow or override.
 */
export function templateSettingsAfter(
  license: TemplatedSettings & { templateOverrides: string[] },
  template: TemplatedSettings | null,
  changes: LicenseChanges
) {
  const values = (of: TemplatedSettings) => ({
    max_devices: of.maxDevices,
    max_sessions: of.maxSessions,
    session_policy: of.sessionPolicy,
  })
  const asked: Partial<ReturnType<typeof values>> = {
    max_devices: changes.maxDevices,
    max_sessions: changes.maxSessions,
    session_policy: changes.sessionPolicy,
  }
  const current = values(license)
  const resolved = { ...current }
  const overrides = new Set(license.templateOverrides)
  const follow = new Set(changes.followTemplate ?? [])
  for (const field of TEMPLATE_FIELDS) {
    if (template && follow.has(field)) {
      overrides.delete(field)
      Object.assign(resolved, { [field]: values(template)[field] })
    } else if (asked[field] !== undefined && asked[field] !== current[field]) {
      Object.assign(resolved, { [field]: asked[field] })
      if (template) overrides.add(field)
    }
  }
  return { ...resolved, overrides: [...overrides].sort() as TemplateField[] }
}

/**
 * What admins change on licenses from the panel. Every change runs with the
 * license row locked (the lock the device-limit trigger and the session
 * engine take too), writes one audit row per license with before and after,
 * and ends live sessions when a license leaves `active`, as
 * `LicenseService.setStatus` does.
 */
@inject()
export default class LicenseAdminService {
  constructor(
    protected clock: Clock,
    protected policies: SessionPolicyRegistry,
    protected generator: LicenseGenerator,
    protected licenses: LicenseService,
    protected audit: AuditTrail,
    protected ledger: SessionLedger
  ) {}

  /** The license by id. @throws E_ROW_NOT_FOUND (a 404 page) when there is none. */
  find(id: number | string) {
    return License.findOrFail(id)
  }

  /**
   * Issues one license or a batch through LicenseGenerator (one audit row,
   * `license.batch_created`, for the batch). `repeated` says the batch id
   * had been issued already: nothing new was created. `licenseId` is the
   * id of the license issued alone (its page opens next), else null.
   */
  async issue(asked: IssueRequest, actor: Actor) {
    // A template's settings were checked when it was saved.
    if (!asked.templateId) {
      if (asked.maxSessions > asked.maxDevices) {
        throw licenseRefusal('max_sessions', 'above_max_devices')
      }
      if (asked.sessionPolicy && !this.policies.has(asked.sessionPolicy)) {
        throw licenseRefusal('session_policy', 'unknown_policy')
      }
    }
    return mappingConstraints(() =>
      db.transaction(async (trx) => {
        if (asked.batchId) {
          // Two submissions of one form queue here; the second finds the first's batch.
          await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtext(?))', [asked.batchId])
          const issued = await trx.from('licenses').where('batch_id', asked.batchId).first()
          if (issued) {
            return {
              batchId: asked.batchId,
              keys: [] as string[],
              repeated: true,
              licenseId: null,
            }
          }
        }
        const request = await withTemplateTerms(trx, asked)
        const product = await trx.from('products').where('id', request.productId).first()
        if (!product) throw licenseRefusal('product_id', 'unknown_product')
        if (request.customerId) {
          const customer = await trx
            .from('customers')
            .where('id', request.customerId)
            .forShare()
            .first()
          if (!customer) throw licenseRefusal('customer_id', 'unknown_customer')
        }
        const created = await this.generator.generate(request, actor, undefined, trx)
        const single =
          created.keys.length === 1
            ? await trx.from('licenses').where('key', created.keys[0]).select('id').first()
            : null
        return { ...created, repeated: false, licenseId: single ? Number(single.id) : null }
      })
    )
  }

  async update(licenseId: number, changes: LicenseChanges, actor: Actor) {
    return mappingConstraints(() =>
      db.transaction(async (trx) => {
        const license = await License.query({ client: trx })
          .where('id', licenseId)
          .forUpdate()
          .firstOrFail()
        return this.apply(trx, license, changes, actor)
      })
    )
  }

  protected async apply(
    trx: TransactionClientContract,
    license: License,
    changes: LicenseChanges,
    actor: Actor
  ) {
    const before = view(license)
    // Not locked: a template update writes its licenses under their row lock,
    // which this edit holds, and re-checks each license's overrides once it
    // gets the lock; locking the template here too would take the two locks
    // in the update's opposite order and could deadlock with it.
    const template = license.templateId
      ? await LicenseTemplate.query({ client: trx }).where('id', license.templateId).firstOrFail()
      : null
    const settings = templateSettingsAfter(license, template, changes)
    const { max_devices: maxDevices, max_sessions: maxSessions } = settings
    if (maxSessions > maxDevices) throw licenseRefusal('max_sessions', 'above_max_devices')
    if (maxDevices < license.maxDevices) {
      // The row lock above makes this count exact: activations queue behind it.
      const active = await trx
        .from('devices')
        .where({ license_id: license.id, active: true })
        .count('* as n')
      if (Number(active[0].n) > maxDevices) {
        throw licenseRefusal('max_devices', 'below_active_devices')
      }
    }
    if (changes.customerId && changes.customerId !== license.customerId) {
      const customer = await trx
        .from('customers')
        .where('id', changes.customerId)
        .forShare()
        .first()
      if (!customer) throw licenseRefusal('customer_id', 'unknown_customer')
    }
    // A policy whose plugin was switched off may stay on the license (it
    // falls back to the default meanwhile); choosing it anew is refused.
    if (
      settings.session_policy &&
      settings.session_policy !== license.sessionPolicy &&
      !this.policies.has(settings.session_policy)
    ) {
      throw licenseRefusal('session_policy', 'unknown_policy')
    }

    license.useTransaction(trx)
    license.merge({
      status: changes.status ?? license.status,
      maxDevices,
      maxSessions,
      sessionPolicy: settings.session_policy,
      ...(changes.customerId !== undefined ? { customerId: changes.customerId } : {}),
      ...(changes.notes !== undefined ? { notes: changes.notes } : {}),
    })
    if (JSON.stringify(settings.overrides) !== JSON.stringify(before.template_overrides)) {
      license.templateOverrides = settings.overrides
    }
    if (!license.$isDirty) return { license, changed: false, sessionsEnded: 0 }
    await license.save()
    if (before.status !== license.status) {
      announceAfterCommit(trx, 'license:status_changed', () => ({
        licenses: [eventLicenseOf(license)],
        status: license.status,
        actor: eventActorOf(actor),
      }))
    }

    const leftActive = before.status === 'active' && license.status !== 'active'
    const ended = leftActive
      ? await this.ledger.end(
          trx,
          { licenseId: license.id },
          'license',
          this.clock.now().toJSDate(),
          actor.label ?? null
        )
      : []
    const after = view(license)
    const changedKeys = (Object.keys(after) as (keyof typeof after)[]).filter(
      (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key])
    )
    await this.audit.record(trx, actor, {
      action: 'license.updated',
      subjectType: 'license',
      subjectId: license.id,
      before: Object.fromEntries(changedKeys.map((key) => [key, before[key]])),
      after: {
        ...Object.fromEntries(changedKeys.map((key) => [key, after[key]])),
        ...(leftActive ? { sessions_ended: ended.length } : {}),
      },
    })
    return { license, changed: true, sessionsEnded: ended.length }
  }

  /**
   * Suspends, reactivates or revokes many licenses. Each goes through
   * `LicenseService.setStatus` in a transaction of its own (row lock, ended
   * sessions, one `license.status_changed` audit row), so a long list never
   * holds many locks at once; the result says how many changed.
   */
  async setStatusOfMany(ids: number[], status: StoredLicenseStatus, actor: Actor) {
    const licenses = await License.query()
      .whereIn('id', [...new Set(ids)])
      .orderBy('id')
      .select('id', 'key')
    let sessionsEnded = 0
    const changed: EventLicense[] = []
    for (const license of licenses) {
      const result = await this.licenses.setStatus(license.key, status, actor, { announce: false })
      if (result.changed) changed.push(eventLicenseOf(result.license))
      sessionsEnded += result.sessionsEnded
    }
    if (changed.length > 0) {
      announce('license:status_changed', { licenses: changed, status, actor: eventActorOf(actor) })
    }
    return { found: licenses.length, changed: changed.length, sessionsEnded }
  }

  async renameDevice(licenseId: number, deviceId: number, name: string | null, actor: Actor) {
    return db.transaction(async (trx) => {
      const device = await Device.query({ client: trx })
        .where({ id: deviceId, licenseId })
        .forUpdate()
        .firstOrFail()
      const before = device.name
      if (before === name) return device
      device.useTransaction(trx)
      device.name = name
      await device.save()
      await this.audit.record(trx, actor, {
        action: 'device.renamed',
        subjectType: 'license',
        subjectId: licenseId,
        before: { device_id: device.id, name: before },
        after: { device_id: device.id, name },
      })
      return device
    })
  }

  /**
   * Frees a device's slot and ends its sessions (`deactivated`), through
   * `LicenseService.deactivate`, which writes the audit row. Null when the
   * device is not (or no longer) active.
   */
  async deactivateDevice(licenseId: number, deviceId: number, actor: Actor) {
    const device = await Device.query()
      .where({ id: deviceId, licenseId })
      .preload('license')
      .firstOrFail()
    if (!device.active) return null
    try {
      return await this.licenses.deactivate(
        { licenseKey: device.license.key, fingerprint: device.fingerprint },
        actor
      )
    } catch (error) {
      if (error instanceof ApiError && error.apiCode === 'DEVICE_NOT_FOUND') return null
      throw error
    }
  }
}
