import { DateTime } from 'luxon'
import type { MeterPeriod } from '#models/meter'

/** What a meter's period depends on. */
export interface MeterCalendar {
  period: MeterPeriod
  timeZone: string
  rollingSeconds: number | null
}

export interface CounterPeriod {
  /** The `period_start` of the counter row a record at that moment goes to. */
  start: DateTime
  /** When that counter starts again from zero; null when it never does. */
  resetsAt: DateTime | null
}

/**
 * The `period_start` of a lifetime counter (period `none`), and the row a
 * rolling meter serializes its records on.
 */
export const EPOCH = DateTime.fromMillis(0, { zone: 'utc' })

const CALENDAR_UNITS = { day: 'day', month: 'month', year: 'year' } as const

/**
 * The counter period of a meter at `at`. Calendar periods are aligned in
 * the meter's time zone: a day there is 23 or 25 hours long across a DST
 * change. An hour is taken on the instant (minus the local minutes), so
 * the repeated hour of an autumn change is two periods, not one of two
 * hours, and a zone offset by :30 or :45 starts its hours there. A rolling
 * meter has no calendar period: its reset follows its oldest counted event
 * (rollingResetAt). A record takes its period from usage_period(), this
 * function's SQL twin in migration 0010 (one round trip); a functional test
 * holds the two equal.
 */
export function counterPeriodAt(meter: MeterCalendar, at: DateTime): CounterPeriod {
  if (meter.period === 'none' || meter.period === 'rolling') return { start: EPOCH, resetsAt: null }
  const local = at.setZone(meter.timeZone)
  if (meter.period === 'hour') {
    const start = at.minus({
      minutes: local.minute,
      seconds: local.second,
      milliseconds: local.millisecond,
    })
    return { start: start.toUTC(), resetsAt: start.plus({ hours: 1 }).toUTC() }
  }
  const unit = CALENDAR_UNITS[meter.period]
  const start = local.startOf(unit)
  const next = start.plus({ [unit]: 1 }).startOf(unit)
  return { start: start.toUTC(), resetsAt: next.toUTC() }
}

/**
 * Where a rolling meter's window begins at `at`: its length back, or the
 * last reset when that is later. Events after it count.
 */
export function rollingWindowStart(
  rollingSeconds: number,
  at: DateTime,
  resetAt: DateTime | null
): DateTime {
  const start = at.minus({ seconds: rollingSeconds })
  return resetAt && resetAt > start ? resetAt : start
}

/** A rolling meter resets when its oldest counted event leaves the window. */
export function rollingResetAt(rollingSeconds: number, oldestCounted: DateTime | null) {
  return oldestCounted ? oldestCounted.plus({ seconds: rollingSeconds }).toUTC() : null
}
