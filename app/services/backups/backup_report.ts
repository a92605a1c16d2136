import type { DateTime } from 'luxon'
import type Backup from '#models/backup'

/** Sizes as people read them: 1536 → "1.5 KiB". */
export function formatBytes(bytes: number | null | undefined) {
  if (bytes === null || bytes === undefined) return '-'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`
}

/** How long ago, coarsely: "5m", "3h", "2d". */
export function formatAge(at: DateTime, now: DateTime) {
  const seconds = Math.max(0, Math.round(now.diff(at, 'seconds').seconds))
  if (seconds < 60) return `${seconds}s`
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`
  return `${Math.floor(seconds / 86_400)}d`
}

/** The lines `backup:create` prints about a finished backup. */
export function describeBackup(row: Backup) {
  return [
    `  size      ${formatBytes(row.sizeBytes)}`,
    `  sha256    ${row.sha256 ?? '-'}`,
    `  encrypted ${row.encrypted ? 'yes' : 'no (BACKUP_ENCRYPTION=off)'}`,
    `  verified  ${row.verifiedAt ? 'yes (trial restore passed)' : 'no (BACKUP_VERIFY=false)'}`,
    `  uploaded  ${row.uploadedAt ? 'yes' : row.uploadError ? 'FAILED' : 'no upload command'}`,
  ]
}
