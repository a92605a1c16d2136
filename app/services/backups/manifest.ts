import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { BackupRefusedError } from './backup_refused_error.js'

export const MANIFEST_FORMAT = 'keyward-backup'
export const MANIFEST_FORMAT_VERSION = 1

/** The files of an archive, as stored in its tar (manifest.json comes first). */
export const PARTS = {
  database: 'database.dump',
  keyring: 'lease_keyring.json',
  pluginsConfig: 'plugins.ts',
} as const
export const MANIFEST_FILE = 'manifest.json'
export const ARCHIVE_FILES = [MANIFEST_FILE, ...Object.values(PARTS)]

export interface ManifestPart {
  path: string
  sizeBytes: number
  sha256: string
}

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT
  formatVersion: number
  appVersion: string
  createdAt: string
  /** Migration folder (`database/migrations`, `plugins/<name>/database/migrations`) → its last migration. */
  migrations: Record<string, string>
  /** Where the lease keyring came from when the archive was made. */
  keyringSource: 'file' | 'env'
  parts: ManifestPart[]
}

/**
 * The last migration of each source, from `adonis_schema` rows (names such
 * as `database/migrations/0009_create_backups`). Sources are the folders,
 * compared in natural order, as Lucid runs them.
 */
export function lastMigrations(names: string[]): Record<string, string> {
  const collator = new Intl.Collator('en', { numeric: true })
  const last: Record<string, string> = {}
  for (const name of names) {
    const slash = name.lastIndexOf('/')
    const source = slash === -1 ? '' : name.slice(0, slash)
    if (last[source] === undefined || collator.compare(name, last[source]) > 0) last[source] = name
  }
  return last
}

/** Parses and checks manifest.json; refuses anything that is not a Keyward backup of a known format. */
export function parseManifest(archiveName: string, text: string | null): BackupManifest {
  if (text === null) {
    throw new BackupRefusedError(
      'backup_not_keyward',
      archiveName,
      'it is not a Keyward backup (no manifest)'
    )
  }
  let manifest: BackupManifest
  try {
    manifest = JSON.parse(text)
  } catch {
    throw new BackupRefusedError(
      'backup_damaged',
      archiveName,
      'its manifest is not valid JSON (the file is truncated or was changed)'
    )
  }
  if (manifest?.format !== MANIFEST_FORMAT) {
    throw new BackupRefusedError(
      'backup_not_keyward',
      archiveName,
      `it is not a Keyward backup (manifest format "${String(manifest?.format)}")`
    )
  }
  if (manifest.formatVersion !== MANIFEST_FORMAT_VERSION) {
    throw new BackupRefusedError(
      'backup_unsupported_format',
      archiveName,
      `it has archive format version ${manifest.formatVersion}; this Keyward reads version ${MANIFEST_FORMAT_VERSION} (upgrade Keyward first)`
    )
  }
  const names = new Set(manifest.parts?.map((part) => part.path))
  for (const path of Object.values(PARTS)) {
    if (!names.has(path)) {
      throw new BackupRefusedError('backup_damaged', archiveName, `its manifest lists no ${path}`)
    }
  }
  return manifest
}

/**
 * Refuses an archive whose database has a migration this installation does
 * not have (a newer Keyward, or a plugin not installed here): restoring it
 * would leave a schema no migration of this install describes.
 */
export function checkSchemaKnown(archiveName: string, manifest: BackupManifest, appRoot: string) {
  for (const migration of Object.values(manifest.migrations ?? {})) {
    const known = ['.ts', '.js'].some((extension) =>
      existsSync(join(appRoot, migration + extension))
    )
    if (!known) {
      throw new BackupRefusedError(
        'backup_newer_schema',
        archiveName,
        `it comes from a newer schema: its database has migration ${migration}, which this installation does not have (upgrade Keyward, or install that plugin, first)`
      )
    }
  }
}
