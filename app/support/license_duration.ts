import type { DateTime, DurationLikeObject } from 'luxon'
import { DomainError } from '#exceptions/domain_error'

/**
 * A license's type is its duration label: `perpetual`, or a count and a unit
 * (`h` hours, `d` days, `w` weeks, `m` months, `y` years). The classic set is
 * `1d, 5d, 1m, 6m, 12m`; custom labels such as `90d` or `2y` work the same.
 */
export const CLASSIC_BATCH_TYPES = ['1d', '5d', '1m', '6m', '12m'] as const
export const LICENSE_TYPE_PATTERN = /^(perpetual|[1-9][0-9]{0,3}[hdwmy])$/

const UNITS: Record<string, keyof DurationLikeObject> = {
  h: 'hours',
  d: 'days',
  w: 'weeks',
  m: 'months',
  y: 'years',
}

/** The code of the DomainError a label that is not a license type gets. */
export const INVALID_LICENSE_TYPE = 'invalid_type'

function invalidLicenseType(label: string) {
  return new DomainError(INVALID_LICENSE_TYPE, {
    field: 'type',
    messageKey: 'licenses.errors.invalid_type',
    data: { label },
    message: `"${label}" is not a license type: use perpetual or a count with h, d, w, m or y`,
  })
}

/**
 * The duration a label stands for, or null for `perpetual`.
 *
 * @throws DomainError `invalid_type` (field `type`) for anything else.
 */
export function parseLicenseType(label: string): DurationLikeObject | null {
  if (!LICENSE_TYPE_PATTERN.test(label)) throw invalidLicenseType(label)
  if (label === 'perpetual') return null
  const unit = UNITS[label.slice(-1)]
  return { [unit]: Number(label.slice(0, -1)) }
}

/**
 * When a license of this type ends if it starts at `start`. Months are
 * calendar months computed in UTC: 31 January + 1m is the last day of
 * February, never a day in March.
 */
export function expiryFor(label: string, start: DateTime): DateTime | null {
  const duration = parseLicenseType(label)
  return duration ? start.toUTC().plus(duration) : null
}
