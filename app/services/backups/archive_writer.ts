import { chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import * as tar from 'tar'
import type { DateTime } from 'luxon'
import { LeaseKeyring } from '#services/lease_keyring'
import { digestFile, encryptFile } from './archive_container.js'
import { archiveSecrets, inWorkDir, type BackupSettingsValues } from './backup_settings.js'
import {
  ARCHIVE_FILES,
  lastMigrations,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  MANIFEST_FORMAT_VERSION,
  PARTS,
  type BackupManifest,
} from './manifest.js'
import { dumpDatabase } from './postgres_tools.js'

/** The phases of writing an archive after the dump, in order, for the run's progress. */
export type WritePhase = 'collecting' | 'packing' | 'encrypting'

export interface WriteOptions {
  /** Encrypt the tar (BACKUP_ENCRYPTION); the name's extension must agree. */
  encrypted: boolean
  /** When the run started: the manifest's createdAt. */
  createdAt: DateTime
  onPhase: (phase: WritePhase) => Promise<void>
}

export interface WrittenArchive {
  sha256: string
  sizeBytes: number
}

/**
 * Writes one archive to `path`: a pg_dump of the database, the lease
 * keyring and config/plugins.ts, their manifest (with every part's
 * SHA-256), in one tar, encrypted unless BACKUP_ENCRYPTION=off. It is
 * written as `<path>.partial` and renamed when complete, so a name of an
 * archive never points at half of one. Resolves with the SHA-256 and size
 * of the file as written.
 */
export async function writeArchive(
  config: BackupSettingsValues,
  path: string,
  options: WriteOptions
): Promise<WrittenArchive> {
  const partialPath = `${path}.partial`
  return inWorkDir(config, async (work) => {
    try {
      const partsDir = join(work, 'parts')
      await mkdir(partsDir, { mode: 0o700 })
      await dumpDatabase(config.databaseUrl, join(partsDir, PARTS.database))

      await options.onPhase('collecting')
      const keyring = new LeaseKeyring({ path: config.keyringPath, fromEnv: config.keyringFromEnv })
      const keyringText = JSON.stringify(await keyring.load(), null, 2)
      await writeFile(join(partsDir, PARTS.keyring), keyringText, { mode: 0o600 })
      await copyFile(config.pluginsConfigPath, join(partsDir, PARTS.pluginsConfig))
      const manifest = await manifestFor(config, partsDir, options.createdAt)
      await writeFile(join(partsDir, MANIFEST_FILE), JSON.stringify(manifest, null, 2), {
        mode: 0o600,
      })

      await options.onPhase('packing')
      const tarPath = options.encrypted ? join(work, 'archive.tar') : partialPath
      await tar.create({ cwd: partsDir, file: tarPath, portable: true }, ARCHIVE_FILES)
      if (options.encrypted) {
        await options.onPhase('encrypting')
        await encryptFile(tarPath, partialPath, archiveSecrets(config))
      }
      await chmod(partialPath, 0o600)
      const written = await digestFile(partialPath)
      await rename(partialPath, path)
      return written
    } finally {
      await rm(partialPath, { force: true })
    }
  })
}

async function manifestFor(
  config: BackupSettingsValues,
  partsDir: string,
  createdAt: DateTime
): Promise<BackupManifest> {
  const migrated = await db.from('adonis_schema').select('name')
  const packageJson = JSON.parse(await readFile(app.makePath('package.json'), 'utf8'))
  const parts = []
  for (const path of Object.values(PARTS)) {
    parts.push({ path, ...(await digestFile(join(partsDir, path))) })
  }
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_FORMAT_VERSION,
    appVersion: String(packageJson.version),
    createdAt: createdAt.toUTC().toISO()!,
    migrations: lastMigrations(migrated.map((migration) => String(migration.name))),
    keyringSource: config.keyringFromEnv ? 'env' : 'file',
    parts,
  }
}
