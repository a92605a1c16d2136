import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { DateTime } from 'luxon'
import type License from '#models/license'
import type { MeterPeriod, OveragePolicy } from '#models/meter'
import { Clock } from '#support/clock'
import { effectiveLimitSql, remainingOf } from '#services/usage/limits'
import { counterPeriodAt, rollingResetAt, rollingWindowStart } from '#services/usage/periods'

/** Where a license's limit of a meter comes from (the resolution order). */
export type LimitSource = 'license' | 'template' | 'meter'

/** One meter of a license's product, as it stands for the license right now. */
export interface MeterStanding {
  meterId: number
  code: string
  name: string
  period: MeterPeriod
  rollingSeconds: number | null
  timeZone: string
  overagePolicy: OveragePolicy
  tolerancePercent: number | null
  /** The effective limit (null = unlimited) and which row set it. */
  limit: number | null
  limitSource: LimitSource
  /** The meter's default, shown beside a license's own limit. */
  defaultLimit: number | null
  used: number
  remaining: number | null
  /** What of `used` lies past the limit (policies allow and tolerance). */
  overage: number
  /** The counter row of the current period (the serializing row of a rolling meter). */
  periodStart: DateTime
  resetsAt: DateTime | null
}

type MeterRow = {
  id: number
  code: string
  name: string
  period: MeterPeriod
  rolling_seconds: number | null
  time_zone: string
  overage: OveragePolicy
  tolerance_percent: number | null
  default_limit: number | null
  own_set: boolean
  template_set: boolean
  effective_limit: number | null
}

/**
 * What a license has used of each meter of its product in the current
 * period, against its effective limit: `GET /api/license/usage/:key`, the
 * license page and `usage:show`.
 */
@inject()
export default class UsageReport {
  constructor(protected clock: Clock) {}

  async of(
    license: Pick<License, 'id' | 'productId' | 'templateId'>,
    trx?: QueryClientContract
  ): Promise<MeterStanding[]> {
    const client = trx ?? db.connection()
    const now = this.clock.now()
    const meters: MeterRow[] = await client
      .from('meters as m')
      .leftJoin('license_meter_limits as own', (join) => {
        join.on('own.meter_id', 'm.id').andOnVal('own.license_id', license.id)
      })
      .leftJoin('license_template_meters as tpl', (join) => {
        // Without a template, 0 matches no row: the meter's default applies.
        join.on('tpl.meter_id', 'm.id').andOnVal('tpl.template_id', license.templateId ?? 0)
      })
      .where('m.product_id', license.productId)
      .select(
        'm.id',
        'm.code',
        'm.name',
        'm.period',
        'm.rolling_seconds',
        'm.time_zone',
        'm.overage',
        'm.tolerance_percent',
        'm.default_limit',
        client.raw('own.meter_id IS NOT NULL AS own_set'),
        client.raw('tpl.meter_id IS NOT NULL AS template_set'),
        client.raw(`${effectiveLimitSql('m', 'own', 'tpl')} AS effective_limit`)
      )
      .orderBy('m.code')
    if (meters.length === 0) return []

    const periods = new Map(
      meters.map((meter) => [
        meter.id,
        counterPeriodAt(
          {
            period: meter.period,
            timeZone: meter.time_zone,
            rollingSeconds: meter.rolling_seconds,
          },
          now
        ),
      ])
    )
    const counters = await client
      .from('usage_counters')
      .where('license_id', license.id)
      .whereIn(
        ['meter_id', 'period_start'],
        meters.map((meter) => [meter.id, periods.get(meter.id)!.start.toJSDate()])
      )
      .select('meter_id', 'used', 'overage', 'reset_at')
    const counterOf = new Map(counters.map((row) => [Number(row.meter_id), row]))
    const windows = await this.rollingWindows(client, license.id, meters, counterOf, now)

    return meters.map((meter): MeterStanding => {
      const period = periods.get(meter.id)!
      const counter = counterOf.get(meter.id)
      const limit = meter.effective_limit
      const rolling = meter.period === 'rolling'
      const window = windows.get(meter.id)
      const used = rolling ? (window?.used ?? 0) : Number(counter?.used ?? 0)
      const overage = rolling
        ? limit === null
          ? 0
          : Math.max(used - limit, 0)
        : Number(counter?.overage ?? 0)
      return {
        meterId: meter.id,
        code: meter.code,
        name: meter.name,
        period: meter.period,
        rollingSeconds: meter.rolling_seconds,
        timeZone: meter.time_zone,
        overagePolicy: meter.overage,
        tolerancePercent: meter.tolerance_percent,
        limit,
        limitSource: meter.own_set ? 'license' : meter.template_set ? 'template' : 'meter',
        defaultLimit: meter.default_limit,
        used,
        remaining: remainingOf(limit, used),
        overage,
        periodStart: period.start,
        resetsAt: rolling
          ? rollingResetAt(meter.rolling_seconds!, window?.oldest ?? null)
          : period.resetsAt,
      }
    })
  }

  /** What each rolling meter counts now: its events inside the window, and the oldest of them. */
  protected async rollingWindows(
    client: QueryClientContract,
    licenseId: number,
    meters: MeterRow[],
    counterOf: Map<number, { reset_at: Date | null }>,
    now: DateTime
  ) {
    const rolling = meters.filter((meter) => meter.period === 'rolling')
    const windows = new Map<number, { used: number; oldest: DateTime | null }>()
    if (rolling.length === 0) return windows
    const rows = await client
      .from('usage_events')
      .where('license_id', licenseId)
      .where((where) => {
        for (const meter of rolling) {
          const resetAt = counterOf.get(meter.id)?.reset_at
          const from = rollingWindowStart(
            meter.rolling_seconds!,
            now,
            resetAt ? DateTime.fromJSDate(resetAt, { zone: 'utc' }) : null
          )
          where.orWhere((one) => one.where('meter_id', meter.id).where('at', '>', from.toJSDate()))
        }
      })
      .groupBy('meter_id')
      .select('meter_id')
      .sum('amount as used')
      .min('at as oldest')
    for (const row of rows) {
      windows.set(Number(row.meter_id), {
        used: Number(row.used),
        oldest: row.oldest ? DateTime.fromJSDate(row.oldest, { zone: 'utc' }) : null,
      })
    }
    return windows
  }
}

/** One meter of `GET /api/license/usage/:license_key`. */
export function meterUsageView(standing: MeterStanding) {
  return {
    meter: standing.code,
    name: standing.name,
    period: standing.period,
    used: standing.used,
    limit: standing.limit,
    remaining: standing.remaining,
    resets_at: standing.resetsAt?.toUTC().toISO() ?? null,
    overage: standing.overage,
  }
}
