import { isAbsolute } from 'node:path'
import { tmpdir } from 'node:os'
import app from '@adonisjs/core/services/app'
import { defaultRepeatStrategy } from 'bullmq'
import { IANAZone } from 'luxon'
import env from '#start/env'

/**
 * Backups (docs/operations.md, "Backups"; decision 0014). Every setting is
 * checked here, when the configuration loads, so a typo stops the boot with
 * the variable's name instead of failing at three in the morning.
 */

const schedule = env.get('BACKUP_SCHEDULE', '0 3 * * *')
const timezone = env.get('BACKUP_TIMEZONE', 'UTC')

if (!IANAZone.isValidZone(timezone)) {
  throw new Error(
    `BACKUP_TIMEZONE "${timezone}" is not a time zone: use an IANA name such as UTC or Europe/Berlin`
  )
}
/** The same parser BullMQ schedules the job with, so what passes here runs there. */
function checkSchedule(pattern: string) {
  if (pattern.trim().split(/\s+/).length < 5) return false
  try {
    return defaultRepeatStrategy(Date.now(), { pattern, tz: timezone }) !== undefined
  } catch {
    return false
  }
}
if (!checkSchedule(schedule)) {
  throw new Error(
    `BACKUP_SCHEDULE "${schedule}" is not a cron pattern (minute hour day month weekday, e.g. "0 3 * * *")`
  )
}

function keep(
  name: 'BACKUP_KEEP_DAILY' | 'BACKUP_KEEP_WEEKLY' | 'BACKUP_KEEP_LAST',
  fallback: number
) {
  const value = env.get(name, fallback)
  if (!Number.isInteger(value) || value < 0 || value > 1000) {
    throw new Error(`${name} must be a whole number from 0 to 1000 (got ${value})`)
  }
  return value
}

/** BACKUP_KEY, when set, must carry real entropy: `openssl rand -base64 32` gives 44 characters. */
const backupKey = env.get('BACKUP_KEY')?.release() || null
if (backupKey !== null && backupKey.length < 32) {
  throw new Error(
    'BACKUP_KEY must be at least 32 characters long: make one with `openssl rand -base64 32`'
  )
}

const dirSetting = env.get('BACKUP_DIR', 'storage/backups')

const backupsConfig = {
  /** Where archives are written (created mode 0700). */
  dir: isAbsolute(dirSetting) ? dirSetting : app.makePath(dirSetting),
  /** Encrypt archives (AES-256-GCM); `BACKUP_ENCRYPTION=off` writes a plain tar. */
  encryption: env.get('BACKUP_ENCRYPTION', 'on') === 'on',
  /** The archive key; without it one is derived from APP_KEY. */
  backupKey,
  /** Shell command run after each backup with the archive as $1 and $BACKUP_FILE. */
  uploadCommand: env.get('BACKUP_UPLOAD_COMMAND')?.trim() || null,
  /** Cron pattern of the `backups:create` job, read in `timezone`. */
  schedule,
  timezone,
  keepDaily: keep('BACKUP_KEEP_DAILY', 7),
  keepWeekly: keep('BACKUP_KEEP_WEEKLY', 4),
  /**
   * The newest archives kept whatever their day: a "Back up now" in the
   * afternoon must not delete the morning's archive, the one from before
   * whatever went wrong.
   */
  keepLast: keep('BACKUP_KEEP_LAST', 3),
  /** Trial-restore every new archive into a scratch database. */
  verifyAfterCreate: env.get('BACKUP_VERIFY', true),
  /** The installation's plugin selection, carried in every archive. */
  pluginsConfigPath: app.makePath('config/plugins.ts'),
  /** Parent of the private temporary folder each run works in. */
  tempDir: tmpdir(),
  /** How long a restore waits for the tables' locks before giving up, changing nothing. */
  restoreLockTimeout: '15s',
  /** How long the upload command may run. */
  uploadTimeoutMs: 60 * 60 * 1000,
}

export type BackupsConfig = typeof backupsConfig

export default backupsConfig
