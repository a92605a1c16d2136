import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  hkdfSync,
  randomBytes,
} from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { BackupRefusedError } from './backup_refused_error.js'

/**
 * The archive's outer layer. An encrypted archive is
 *
 *   KEYWARDBK1 | key kind (1 byte) | key id (8) | salt (16) | IV (12) | AES-256-GCM(tar) | tag (16)
 *
 * The cleartext header says which secret it needs and, through the key id
 * (a short HMAC of a constant under that secret), whether the secret at
 * hand is the right one, so a wrong key reads "encrypted with a different
 * BACKUP_KEY" instead of a failed authentication tag. The archive key is
 * HKDF-SHA256(secret, salt, "keyward-backup-v1"): a fresh salt and IV per
 * archive. A plain archive is the tar itself (BACKUP_ENCRYPTION=off).
 */
export const MAGIC = Buffer.from('KEYWARDBK1', 'ascii')
const KEY_ID_BYTES = 8
const SALT_BYTES = 16
const IV_BYTES = 12
const TAG_BYTES = 16
export const HEADER_BYTES = MAGIC.length + 1 + KEY_ID_BYTES + SALT_BYTES + IV_BYTES
const HKDF_INFO = 'keyward-backup-v1'
const KEY_ID_CONSTANT = 'keyward-backup-key-id-v1'

/** Which secret an archive is encrypted with; the byte is stored in the header. */
export type KeyKind = 'backup_key' | 'app_key'
const KIND_BYTES: Record<KeyKind, number> = { backup_key: 0x42, app_key: 0x41 }
const KIND_NAMES: Record<KeyKind, string> = { backup_key: 'BACKUP_KEY', app_key: 'APP_KEY' }

export interface ArchiveSecrets {
  backupKey: string | null
  appKey: string
}

/** The secret new archives are encrypted with: BACKUP_KEY when set, else APP_KEY. */
export function writingKind(secrets: ArchiveSecrets): KeyKind {
  return secrets.backupKey ? 'backup_key' : 'app_key'
}

function secretOf(secrets: ArchiveSecrets, kind: KeyKind) {
  return kind === 'backup_key' ? secrets.backupKey : secrets.appKey
}

export function keyIdOf(secret: string) {
  return createHmac('sha256', secret).update(KEY_ID_CONSTANT).digest().subarray(0, KEY_ID_BYTES)
}

function archiveKey(secret: string, salt: Buffer) {
  return Buffer.from(hkdfSync('sha256', secret, salt, HKDF_INFO, 32))
}

/** SHA-256 (hex) and size of a file, streamed. */
export async function digestFile(path: string) {
  const hash = createHash('sha256')
  let sizeBytes = 0
  await pipeline(createReadStream(path), async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) {
      hash.update(chunk)
      sizeBytes += chunk.length
    }
  })
  return { sha256: hash.digest('hex'), sizeBytes }
}

/** Encrypts `plainPath` into `outPath` (created with mode 0600, never overwritten). */
export async function encryptFile(plainPath: string, outPath: string, secrets: ArchiveSecrets) {
  const kind = writingKind(secrets)
  const secret = secretOf(secrets, kind)!
  const salt = randomBytes(SALT_BYTES)
  const iv = randomBytes(IV_BYTES)
  const header = Buffer.concat([MAGIC, Buffer.from([KIND_BYTES[kind]]), keyIdOf(secret), salt, iv])
  const cipher = createCipheriv('aes-256-gcm', archiveKey(secret, salt), iv)
  let wroteHeader = false
  const framed = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!wroteHeader) {
        wroteHeader = true
        this.push(header)
      }
      done(null, chunk)
    },
    flush(done) {
      if (!wroteHeader) this.push(header)
      this.push(cipher.getAuthTag())
      done()
    },
  })
  await pipeline(
    createReadStream(plainPath),
    cipher,
    framed,
    createWriteStream(outPath, { mode: 0o600, flags: 'wx' })
  )
  return { kind }
}

export interface ArchiveHeader {
  encrypted: boolean
  kind: KeyKind | null
}

/** Reads the first bytes: an encrypted Keyward archive, or (perhaps) a plain tar. */
export async function readHeader(path: string): Promise<ArchiveHeader & { raw: Buffer }> {
  const file = await open(path, 'r')
  try {
    const raw = Buffer.alloc(HEADER_BYTES)
    const { bytesRead } = await file.read(raw, 0, HEADER_BYTES, 0)
    const head = raw.subarray(0, bytesRead)
    if (head.length >= MAGIC.length && head.subarray(0, MAGIC.length).equals(MAGIC)) {
      const kindByte = head[MAGIC.length]
      const kind = (Object.keys(KIND_BYTES) as KeyKind[]).find((k) => KIND_BYTES[k] === kindByte)
      return { encrypted: true, kind: kind ?? null, raw: head }
    }
    return { encrypted: false, kind: null, raw: head }
  } finally {
    await file.close()
  }
}

/**
 * Decrypts an encrypted archive into `outPath` and checks its GCM tag.
 * Refuses (BackupRefusedError) a header it cannot use, a missing or wrong
 * secret, and a file whose tag does not match (truncated, changed): the
 * plaintext must not be used before this resolves.
 */
export async function decryptFile(
  name: string,
  path: string,
  outPath: string,
  secrets: ArchiveSecrets
) {
  const { raw, kind } = await readHeader(path)
  const { size } = await stat(path)
  if (raw.length < HEADER_BYTES || size < HEADER_BYTES + TAG_BYTES) {
    throw new BackupRefusedError('backup_damaged', name, 'it is too short to hold anything')
  }
  if (kind === null) {
    throw new BackupRefusedError(
      'backup_unknown_key_kind',
      name,
      'its header names a key kind this version does not know (made by a newer Keyward?)'
    )
  }
  const secret = secretOf(secrets, kind)
  if (!secret) {
    throw new BackupRefusedError(
      'backup_key_missing',
      name,
      `it is encrypted with ${KIND_NAMES[kind]}, which is not set here`
    )
  }
  let offset = MAGIC.length + 1
  const keyId = raw.subarray(offset, (offset += KEY_ID_BYTES))
  const salt = raw.subarray(offset, (offset += SALT_BYTES))
  const iv = raw.subarray(offset, (offset += IV_BYTES))
  if (!keyIdOf(secret).equals(keyId)) {
    throw new BackupRefusedError(
      'backup_wrong_key',
      name,
      `it was encrypted with a different ${KIND_NAMES[kind]}`
    )
  }
  const tag = Buffer.alloc(TAG_BYTES)
  const file = await open(path, 'r')
  try {
    await file.read(tag, 0, TAG_BYTES, size - TAG_BYTES)
  } finally {
    await file.close()
  }
  const decipher = createDecipheriv('aes-256-gcm', archiveKey(secret, salt), iv)
  decipher.setAuthTag(tag)
  try {
    await pipeline(
      createReadStream(path, { start: HEADER_BYTES, end: size - TAG_BYTES - 1 }),
      decipher,
      createWriteStream(outPath, { mode: 0o600, flags: 'wx' })
    )
  } catch (error) {
    if ((error as Error).message.includes('authenticate')) {
      throw new BackupRefusedError(
        'backup_damaged',
        name,
        'its authentication tag does not match (the file is truncated or was changed)'
      )
    }
    throw error
  }
}
