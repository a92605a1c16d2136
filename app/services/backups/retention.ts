import { DateTime } from 'luxon'

/**
 * Archive names: `keyward-YYYYMMDDTHHMMSSZ.kwbackup` (encrypted) or `.tar`
 * (plain), from the clock in UTC; a second archive in the same second gets
 * `-2`, `-3`, ... Only names of this shape are ever listed, read or deleted.
 */
export const ARCHIVE_NAME = /^keyward-(\d{8}T\d{6}Z)(?:-([1-9]\d{0,3}))?\.(kwbackup|tar)$/

export function archiveName(at: DateTime, encrypted: boolean, sequence = 1) {
  const stamp = at.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'")
  return `keyward-${stamp}${sequence > 1 ? `-${sequence}` : ''}.${encrypted ? 'kwbackup' : 'tar'}`
}

/** When an archive was made, read from its name; null for a name of another shape. */
export function archiveTime(name: string): DateTime | null {
  const match = ARCHIVE_NAME.exec(name)
  if (!match) return null
  const at = DateTime.fromFormat(match[1], "yyyyMMdd'T'HHmmss'Z'", { zone: 'utc' })
  return at.isValid ? at : null
}

/** The archive's number within its second: 1, or the `-N` of a later one. */
function archiveSequence(name: string) {
  const match = ARCHIVE_NAME.exec(name)
  return match?.[2] ? Number(match[2]) : 1
}

/**
 * Orders archives newest first: by time, then by their number within the
 * second as a number (by text, `-2` would sort before the plain name).
 */
export function newestFirst(
  left: { name: string; createdAt: DateTime },
  right: { name: string; createdAt: DateTime }
) {
  return (
    right.createdAt.toMillis() - left.createdAt.toMillis() ||
    archiveSequence(right.name) - archiveSequence(left.name)
  )
}

export function isEncryptedName(name: string) {
  return name.endsWith('.kwbackup')
}

export interface RetentionCandidate {
  name: string
  createdAt: DateTime
  verified: boolean
}

export interface RetentionPolicy {
  /** Keep this many newest archives, whatever their day. */
  keepLast: number
  /** Keep the newest archive of each of this many most recent days that have one. */
  keepDaily: number
  /** Keep the newest archive of each of this many most recent ISO weeks that have one. */
  keepWeekly: number
  /** The zone days and weeks are counted in (BACKUP_TIMEZONE). */
  timezone: string
}

export type KeepReason = 'newest' | 'last' | 'daily' | 'weekly' | 'newest-verified' | 'in-progress'

export interface RetentionSelection {
  keep: { name: string; reasons: KeepReason[] }[]
  prune: string[]
}

/**
 * Which archives retention keeps and which it deletes. Days and weeks are
 * those that have an archive (as restic's --keep-daily counts them), so a
 * worker that was down for a fortnight does not see its older archives
 * deleted by the first new one. The `keepLast` newest are kept whatever
 * their day. Never deleted, whatever the counts: the newest archive, the
 * newest verified one, and any named in `inProgress`.
 * Pure: the caller lists the files and deletes.
 */
export function selectForPruning(
  archives: RetentionCandidate[],
  policy: RetentionPolicy,
  inProgress: ReadonlySet<string> = new Set()
): RetentionSelection {
  const sorted = [...archives].sort(newestFirst)
  const reasons = new Map<string, KeepReason[]>()
  const keep = (name: string, reason: KeepReason) => {
    reasons.set(name, [...(reasons.get(name) ?? []), reason])
  }

  if (sorted.length > 0) keep(sorted[0].name, 'newest')
  for (const archive of sorted.slice(0, policy.keepLast)) keep(archive.name, 'last')
  const newestVerified = sorted.find((archive) => archive.verified)
  if (newestVerified) keep(newestVerified.name, 'newest-verified')

  const days = new Set<string>()
  const weeks = new Set<string>()
  for (const archive of sorted) {
    const local = archive.createdAt.setZone(policy.timezone)
    const day = local.toISODate()!
    if (!days.has(day) && days.size < policy.keepDaily) {
      days.add(day)
      keep(archive.name, 'daily')
    }
    const week = `${local.weekYear}-W${local.weekNumber}`
    if (!weeks.has(week) && weeks.size < policy.keepWeekly) {
      weeks.add(week)
      keep(archive.name, 'weekly')
    }
    if (inProgress.has(archive.name)) keep(archive.name, 'in-progress')
  }

  return {
    keep: sorted
      .filter((archive) => reasons.has(archive.name))
      .map((archive) => ({ name: archive.name, reasons: reasons.get(archive.name)! })),
    prune: sorted.filter((archive) => !reasons.has(archive.name)).map((archive) => archive.name),
  }
}
