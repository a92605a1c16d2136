import { existsSync } from 'node:fs'
import { mkdir, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import * as tar from 'tar'
import Backup from '#models/backup'
import {
  decryptFile,
  digestFile,
  MAGIC,
  readHeader,
  type ArchiveSecrets,
} from './archive_container.js'
import { BackupRefusedError } from './backup_refused_error.js'
import {
  ARCHIVE_FILES,
  MANIFEST_FILE,
  parseManifest,
  PARTS,
  type BackupManifest,
} from './manifest.js'

/** An archive read into a work folder and found sound; what verify and restore use. */
export interface OpenedArchive {
  name: string
  manifest: BackupManifest
  /** Where each part was extracted to; each matched its manifest checksum. */
  paths: Record<keyof typeof PARTS, string>
}

/**
 * Reads the archive at `path` into `work` and checks it: Keyward magic or
 * a tar that starts with the manifest, the GCM tag, the manifest's format,
 * every part's SHA-256, and the checksum its row recorded. Refuses with
 * BackupRefusedError; nothing outside `work` is touched.
 */
export async function openArchive(
  name: string,
  path: string,
  work: string,
  secrets: ArchiveSecrets
): Promise<OpenedArchive> {
  const header = await readHeader(path)
  let tarPath = path
  if (header.encrypted) {
    tarPath = join(work, 'archive.tar')
    await decryptFile(name, path, tarPath, secrets)
  } else if (!(await startsWithManifestEntry(path))) {
    const what =
      header.raw.subarray(0, 5).toString('latin1') === 'PGDMP' ? ' (a plain pg_dump)' : ''
    throw new BackupRefusedError(
      'backup_not_keyward',
      name,
      `it is not a Keyward backup${what}: no ${MAGIC.toString('ascii')} header and no manifest`
    )
  }

  const dir = join(work, 'extracted')
  await mkdir(dir, { mode: 0o700 })
  try {
    await tar.extract({
      file: tarPath,
      cwd: dir,
      strict: true,
      filter: (entryPath, entry) =>
        ARCHIVE_FILES.includes(entryPath) && 'type' in entry && entry.type === 'File',
    })
  } catch (error) {
    throw new BackupRefusedError(
      'backup_damaged',
      name,
      `its tar cannot be read (${(error as Error).message}); the file is truncated or was changed`
    )
  }
  const manifestPath = join(dir, MANIFEST_FILE)
  const manifest = parseManifest(
    name,
    existsSync(manifestPath) ? await readFile(manifestPath, 'utf8') : null
  )
  for (const part of manifest.parts) {
    const partPath = join(dir, part.path)
    const actual = existsSync(partPath) ? await digestFile(partPath) : null
    if (!actual || actual.sha256 !== part.sha256 || actual.sizeBytes !== part.sizeBytes) {
      throw new BackupRefusedError(
        'backup_damaged',
        name,
        `its ${part.path} does not match its checksum (the file is truncated or was changed)`
      )
    }
  }
  const row = await Backup.findBy('name', name)
  if (row?.sha256) {
    const { sha256 } = await digestFile(path)
    if (sha256 !== row.sha256) {
      throw new BackupRefusedError(
        'backup_damaged',
        name,
        'its SHA-256 differs from the one recorded when it was written (the file was changed)'
      )
    }
  }
  return {
    name,
    manifest,
    paths: {
      database: join(dir, PARTS.database),
      keyring: join(dir, PARTS.keyring),
      pluginsConfig: join(dir, PARTS.pluginsConfig),
    },
  }
}

/** True when a file is a tar whose first entry is manifest.json (how Keyward writes them). */
async function startsWithManifestEntry(path: string) {
  const file = await open(path, 'r')
  try {
    const block = Buffer.alloc(512)
    const { bytesRead } = await file.read(block, 0, 512, 0)
    if (bytesRead < 512) return false
    const entryName = block.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '')
    const magic = block.subarray(257, 262).toString('latin1')
    return magic === 'ustar' && entryName === MANIFEST_FILE
  } finally {
    await file.close()
  }
}
