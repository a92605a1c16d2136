import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import License from '#models/license'
import Meter from '#models/meter'
import AuditTrail from '#services/audit_trail'
import UsageReport from '#services/usage/usage_report'
import { DomainError } from '#exceptions/domain_error'
import { Clock } from '#support/clock'
import { counterPeriodAt } from '#services/usage/periods'
import type { Actor } from '#support/actor'

/**
 * A license's own limit of a meter: `default` follows the template (or the
 * meter), `unlimited` and a number override both.
 */
export type OwnLimit =
  { mode: 'default' } | { mode: 'unlimited' } | { mode: 'limit'; limit: number }

/**
 * What an admin changes about a license's usage, audited in the same
 * transaction: its own limit of a meter, and a reset of a meter's current
 * period (`usage:reset`, the license page).
 */
@inject()
export default class UsageAdmin {
  constructor(
    protected clock: Clock,
    protected report: UsageReport,
    protected audit: AuditTrail
  ) {}

  /**
   * @throws DomainError `unknown_meter` when the license's product has no
   * meter with that code.
   */
  async meterOf(license: License, code: string, client?: TransactionClientContract) {
    const meter = await Meter.query({ client })
      .where({ productId: license.productId, code })
      .first()
    if (!meter) {
      throw new DomainError('unknown_meter', {
        messageKey: 'license_usage.unknown_meter',
        data: { code },
        message: `The product has no meter "${code}"`,
      })
    }
    return meter
  }

  /**
   * Starts the meter's current period again from zero, for this license:
   * the counter row is zeroed (a rolling meter counts only events after the
   * reset). The row is locked before it is read, so a record in flight is
   * either in the figure the audit log keeps or counts after the reset.
   * The events stay, for analytics.
   */
  async reset(license: License, code: string, actor: Actor) {
    const now = this.clock.now()
    return db.transaction(async (trx) => {
      const meter = await this.meterOf(license, code, trx)
      const { start } = counterPeriodAt(meter, now)
      const counter = {
        license_id: license.id,
        meter_id: meter.id,
        period_start: start.toJSDate(),
      }
      await trx
        .table('usage_counters')
        .insert({ ...counter, used: 0, overage: 0, updated_at: now.toJSDate() })
        .onConflict(['license_id', 'meter_id', 'period_start'])
        .merge(['updated_at'])
      const standings = await this.report.of(license, trx)
      const standing = standings.find((row) => row.meterId === meter.id)!
      await trx
        .from('usage_counters')
        .where(counter)
        .update({ used: 0, overage: 0, reset_at: now.toJSDate(), updated_at: now.toJSDate() })
      await this.audit.record(trx, actor, {
        action: 'usage.reset',
        subjectType: 'license',
        subjectId: license.id,
        before: { meter: meter.code, used: standing.used, overage: standing.overage },
        after: { meter: meter.code, used: 0, period_start: start.toUTC().toISO() },
      })
      return { meter, usedBefore: standing.used }
    })
  }

  /**
   * Sets, changes or removes the license's own limit of a meter. Lowering
   * it below what is used refuses further records of the period; nothing
   * recorded is taken back.
   */
  async setOwnLimit(license: License, code: string, own: OwnLimit, actor: Actor) {
    return db.transaction(async (trx) => {
      await License.query({ client: trx }).where('id', license.id).forUpdate().firstOrFail()
      const meter = await this.meterOf(license, code, trx)
      const where = { license_id: license.id, meter_id: meter.id }
      const previous = await trx.from('license_meter_limits').where(where).first()
      const before = previous ? ownLimitOf(previous.limit) : { mode: 'default' as const }
      if (sameLimit(before, own)) return { meter, changed: false }
      if (own.mode === 'default') {
        await trx.from('license_meter_limits').where(where).delete()
      } else {
        await trx
          .table('license_meter_limits')
          .insert({ ...where, limit: own.mode === 'limit' ? own.limit : null })
          .onConflict(['license_id', 'meter_id'])
          .merge(['limit'])
      }
      await this.audit.record(trx, actor, {
        action: 'license.meter_limit_changed',
        subjectType: 'license',
        subjectId: license.id,
        before: { meter: meter.code, ...limitFields(before) },
        after: { meter: meter.code, ...limitFields(own) },
      })
      return { meter, changed: true }
    })
  }
}

function ownLimitOf(limit: number | null): OwnLimit {
  return limit === null ? { mode: 'unlimited' } : { mode: 'limit', limit: Number(limit) }
}

function sameLimit(a: OwnLimit, b: OwnLimit) {
  return a.mode === b.mode && (a.mode !== 'limit' || a.limit === (b as { limit: number }).limit)
}

/** The audit log's form of a license's own limit. */
function limitFields(own: OwnLimit) {
  return { limit_mode: own.mode, limit: own.mode === 'limit' ? own.limit : null }
}
