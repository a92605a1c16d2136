import type { DateTime } from 'luxon'
import type Backup from '#models/backup'
import { formatBytes } from '#support/formatting'

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
