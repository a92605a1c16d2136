import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Meter, { type MeterPeriod, type OveragePolicy } from '#models/meter'
import type Product from '#models/product'
import AuditTrail from '#services/audit_trail'
import { lockAndCountHolders } from '#services/catalogue/catalogue_holders'
import {
  catalogueRefusal,
  refusingConstraints,
  type ConstraintFields,
} from '#services/catalogue/catalogue_refusals'
import type { Actor } from '#support/actor'

export type MeterInput = {
  name: string
  description?: string | null
  period: MeterPeriod
  /** Only for `rolling` (and required there); ignored otherwise. */
  rollingSeconds?: number | null
  /** IANA zone of the calendar periods; UTC when left out. */
  timeZone?: string | null
  /** Null: unlimited unless a template or the license sets a limit. */
  defaultLimit?: number | null
  overage: OveragePolicy
  /** Only for `tolerance` (and required there); ignored otherwise. */
  tolerancePercent?: number | null
}

/** How a meter counts, as its audit rows and `meter:list --json` name it. */
export const meterSettingsView = (meter: Meter) => ({
  period: meter.period,
  rolling_seconds: meter.rollingSeconds,
  time_zone: meter.timeZone,
  default_limit: meter.defaultLimit,
  overage: meter.overage,
  tolerance_percent: meter.tolerancePercent,
})

const view = (meter: Meter) => ({
  product_id: meter.productId,
  code: meter.code,
  name: meter.name,
  description: meter.description,
  ...meterSettingsView(meter),
})

/** The settings as stored: a window only for rolling meters, a percentage only for tolerance. */
function settingsOf(input: MeterInput) {
  return {
    name: input.name,
    description: input.description ?? null,
    period: input.period,
    rollingSeconds: input.period === 'rolling' ? (input.rollingSeconds ?? null) : null,
    timeZone: input.timeZone || 'UTC',
    defaultLimit: input.defaultLimit ?? null,
    overage: input.overage,
    tolerancePercent: input.overage === 'tolerance' ? (input.tolerancePercent ?? null) : null,
  }
}

/** What the database refuses, as the field it concerns. */
const CONSTRAINT_FIELDS: ConstraintFields = {
  meters_product_id_code_unique: ['code', 'code_taken'],
  meters_rolling_window: ['rolling_seconds', 'rolling_window_required'],
  meters_tolerance: ['tolerance_percent', 'tolerance_required'],
}

/**
 * A product's meters (usage limits), each change with its audit row. The
 * code is fixed once created: clients record usage under it. Once usage is
 * recorded, the period, its window and its time zone stay: the counters
 * are keyed by the start of their period, and a moved boundary would merge
 * or split counts already made. A meter something depends on (recorded
 * usage, a limit of a template or a license) is not deleted.
 */
@inject()
export default class MeterCatalogue {
  constructor(protected audit: AuditTrail) {}

  /** The product's meters by code, with `$extras.templates_count` (templates that set its limit). */
  async of(productId: number) {
    return Meter.query()
      .where('product_id', productId)
      .select('meters.*')
      .select(
        db.raw(
          '(SELECT count(*) FROM license_template_meters t WHERE t.meter_id = meters.id)::int AS templates_count'
        )
      )
      .orderBy('code')
  }

  /** The product's meter. @throws E_ROW_NOT_FOUND (a 404 page) when it has none by that id. */
  find(product: Product, id: number | string) {
    return Meter.query().where({ productId: product.id, id }).firstOrFail()
  }

  /** Refused with `code_taken` (on `code`) when the product has the code already. */
  async create(product: Product, input: MeterInput & { code: string }, actor: Actor) {
    return refusingConstraints(CONSTRAINT_FIELDS, () =>
      db.transaction(async (trx) => {
        const meter = await Meter.create(
          { productId: product.id, code: input.code, ...settingsOf(input) },
          { client: trx }
        )
        await this.audit.record(trx, actor, {
          action: 'meter.created',
          subjectType: 'meter',
          subjectId: meter.id,
          after: view(meter),
        })
        return meter
      })
    )
  }

  /** Refused with `period_locked` (on `period`) when usage is recorded and the period would move. */
  async update(meter: Meter, input: MeterInput, actor: Actor) {
    return refusingConstraints(CONSTRAINT_FIELDS, () =>
      db.transaction(async (trx) => {
        // Read again under its lock: two edits queue, and `before` is what was stored.
        const locked = await Meter.query({ client: trx })
          .where('id', meter.id)
          .forUpdate()
          .firstOrFail()
        const before = view(locked)
        locked.merge(settingsOf(input))
        if (!locked.$isDirty) return locked
        const movesPeriod = ['period', 'rollingSeconds', 'timeZone'].some(
          (key) => key in locked.$dirty
        )
        if (movesPeriod && (await this.hasUsage(trx, locked.id))) {
          throw catalogueRefusal('period_locked', { field: 'period' })
        }
        await locked.save()
        await this.audit.record(trx, actor, {
          action: 'meter.updated',
          subjectType: 'meter',
          subjectId: locked.id,
          before,
          after: view(locked),
        })
        return locked
      })
    )
  }

  /** Refused with `meter_in_use` when usage is recorded or a template or license sets its limit. */
  async delete(meter: Meter, actor: Actor) {
    await db.transaction(async (trx) => {
      const held = await lockAndCountHolders(trx, 'meters', meter.id)
      const used = await this.hasUsage(trx, meter.id)
      if (used || held.templates + held.licenses > 0) {
        throw catalogueRefusal('meter_in_use', {
          data: { code: meter.code, ...held, used },
          message: `"${meter.code}" has recorded usage or limits of ${held.templates} templates and ${held.licenses} licenses`,
        })
      }
      await trx.from('meters').where('id', meter.id).delete()
      await this.audit.record(trx, actor, {
        action: 'meter.deleted',
        subjectType: 'meter',
        subjectId: meter.id,
        before: view(meter),
      })
    })
  }

  /** Whether any usage of the meter was ever recorded (counters, or the event log). */
  protected async hasUsage(trx: TransactionClientContract, meterId: number) {
    const counter = await trx.from('usage_counters').where('meter_id', meterId).select(1).first()
    if (counter) return true
    const event = await trx.from('usage_events').where('meter_id', meterId).select(1).first()
    return Boolean(event)
  }
}
