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

/** A size as people read it, in binary units: 1536 → "1.5 KiB"; null → "—". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`
}
