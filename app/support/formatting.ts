import { DateTime } from 'luxon'

/**
 * A moment as the panel shows it: `2026-11-23 14:05` in UTC (the server's
 * clock and the audit log speak UTC; admins may sit anywhere).
 */
export function formatMoment(value: unknown, withSeconds = false): string {
  if (value === null || value === undefined || value === '') return '—'
  const moment =
    value instanceof DateTime
      ? value
      : value instanceof Date
        ? DateTime.fromJSDate(value)
        : DateTime.fromISO(String(value))
  if (!moment.isValid) return '—'
  return moment.toUTC().toFormat(withSeconds ? 'yyyy-LL-dd HH:mm:ss' : 'yyyy-LL-dd HH:mm')
}
