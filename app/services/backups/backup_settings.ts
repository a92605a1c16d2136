import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import type { BackupsConfig } from '#config/backups'
import type { ArchiveSecrets } from './archive_container.js'

export interface BackupSettingsValues extends BackupsConfig {
  /** The database backed up and restored into. */
  databaseUrl: string
  /** APP_KEY: the archive key is derived from it when BACKUP_KEY is not set. */
  appKey: string
  /** The lease keyring's file, and the keyring from LEASE_KEYRING (which wins) or null. */
  keyringPath: string
  keyringFromEnv: string | null
  /** How long a backup or restore waits for another one to end. */
  lockWait: string
}

/**
 * Everything the backups service reads from the configuration, in one
 * object, so a test can point it at a temporary folder and files of its
 * own (`app.container.swap(BackupSettings, () => new BackupSettings({...}))`)
 * and never touch storage/ or config/.
 */
export class BackupSettings {
  readonly values: BackupSettingsValues

  constructor(overrides: Partial<BackupSettingsValues> = {}) {
    this.values = {
      ...app.config.get<BackupsConfig>('backups'),
      databaseUrl: app.config.get<{ connection: { connectionString: string } }>(
        'database.connections.postgres'
      ).connection.connectionString,
      appKey: app.config.get<{ release(): string }>('app.appKey').release(),
      keyringPath: app.config.get<string>('leases.keyringPath'),
      keyringFromEnv: app.config.get<string | null>('leases.keyringFromEnv'),
      lockWait: '10m',
      ...overrides,
    }
  }
}

/** The secrets archives are encrypted with (BACKUP_KEY, else APP_KEY) and opened with. */
export function archiveSecrets(values: BackupSettingsValues): ArchiveSecrets {
  return { backupKey: values.backupKey, appKey: values.appKey }
}

/**
 * Runs `use` with a private folder under `tempDir` for one run's
 * intermediate files (parts, tar, extracted archive), removed afterwards
 * whatever happens.
 */
export async function inWorkDir<T>(
  values: BackupSettingsValues,
  use: (work: string) => Promise<T>
): Promise<T> {
  const work = await mkdtemp(join(values.tempDir, 'keyward-backup-'))
  try {
    return await use(work)
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
