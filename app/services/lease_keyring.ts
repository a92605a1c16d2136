import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  type KeyObject,
} from 'node:crypto'
import { link, mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import app from '@adonisjs/core/services/app'
import lock from '@adonisjs/lock/services/main'
import { MAX_OFFLINE_GRACE_SECONDS } from '#config/leases'

/**
 * One signing key as the keyring stores it. The private key is PKCS#8 DER,
 * base64url. A key made by rotation carries an endorsement: the previous
 * key's signature over its public key, so a client that trusts the old key
 * can learn to trust the new one without a new build.
 */
export interface StoredKey {
  kid: string
  created_at: string
  retired_at: string | null
  private_key: string
  endorsed_by: string | null
  endorsement: string | null
}

export interface KeyringData {
  version: 1
  /** Oldest first; the last one signs. */
  keys: StoredKey[]
}

/** The public half as served by `GET /api/keys/public`: a JWK (RFC 8037) plus our fields. */
export interface PublishedKey {
  kid: string
  kty: 'OKP'
  crv: 'Ed25519'
  alg: 'EdDSA'
  use: 'sig'
  x: string
  status: 'active' | 'retired'
  created_at: string
  retired_at: string | null
  endorsed_by: string | null
  endorsement: string | null
}

export interface SigningKey {
  kid: string
  privateKey: KeyObject
}

/** What the previous key signs to vouch for its successor. */
export function endorsementMessage(kid: string, x: string) {
  return Buffer.from(`keyward-key-endorsement:v1:${kid}:${x}`)
}

function publicX(privateKey: KeyObject) {
  return (privateKey.export({ format: 'jwk' }) as { x: string }).x
}

/** RFC 7638 thumbprint of an Ed25519 public key: a kid anyone can recompute. */
export function thumbprint(x: string) {
  const canonical = JSON.stringify({ crv: 'Ed25519', kty: 'OKP', x })
  return createHash('sha256').update(canonical).digest('base64url')
}

/** A fresh key, endorsed by `previous` when there is one. */
export function generateKey(now: Date, previous?: StoredKey): StoredKey {
  const { privateKey } = generateKeyPairSync('ed25519')
  const x = publicX(privateKey)
  const kid = thumbprint(x)
  const endorsement = previous
    ? sign(null, endorsementMessage(kid, x), privateKeyOf(previous)).toString('base64url')
    : null
  return {
    kid,
    created_at: now.toISOString(),
    retired_at: null,
    private_key: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64url'),
    endorsed_by: previous?.kid ?? null,
    endorsement,
  }
}

function privateKeyOf(key: StoredKey) {
  return createPrivateKey({
    key: Buffer.from(key.private_key, 'base64url'),
    format: 'der',
    type: 'pkcs8',
  })
}

/**
 * Retires the signing key and appends a new one it endorses. Keys retired
 * longer ago than the longest possible offline grace are dropped: no lease
 * they signed can still be valid.
 */
export function rotated(keyring: KeyringData, now: Date) {
  const current = keyring.keys.at(-1)
  const next = generateKey(now, current)
  const oldestUseful = now.getTime() - MAX_OFFLINE_GRACE_SECONDS * 1000
  const keys = keyring.keys.map((key) =>
    key === current ? { ...key, retired_at: now.toISOString() } : key
  )
  const kept = keys.filter((key) => !key.retired_at || Date.parse(key.retired_at) > oldestUseful)
  return {
    keyring: { version: 1 as const, keys: [...kept, next] },
    added: next,
    dropped: keys.filter((key) => !kept.includes(key)),
  }
}

/**
 * @throws Error when the keyring is damaged. That is no refusal of a rule
 * (no DomainError) but a broken installation: no lease can be signed until
 * it is repaired.
 */
export function parseKeyring(text: string, source: string): KeyringData {
  let data: KeyringData
  try {
    data = JSON.parse(text)
  } catch {
    throw new Error(`The lease keyring in ${source} is not valid JSON`)
  }
  if (data?.version !== 1 || !Array.isArray(data.keys) || data.keys.length === 0) {
    throw new Error(`The lease keyring in ${source} holds no keys`)
  }
  for (const key of data.keys) {
    if (thumbprint(publicX(privateKeyOf(key))) !== key.kid) {
      throw new Error(`The lease keyring in ${source} has a key whose kid does not match`)
    }
  }
  return data
}

export function encodeKeyringForEnv(keyring: KeyringData) {
  return Buffer.from(JSON.stringify(keyring)).toString('base64url')
}

/**
 * The Ed25519 keys that sign leases. They never enter the database, so a
 * dump cannot mint leases. The file is created on first use; every process
 * rereads it when it changes (`keys:rotate` runs in a process of its own),
 * looking at most every `leases.reloadEverySeconds`.
 */
export class LeaseKeyring {
  #data: KeyringData | null = null
  #signing: SigningKey | null = null
  #published: PublishedKey[] = []
  #fileVersion: number | null = null
  #checkedAt = 0

  constructor(protected options: { path: string; fromEnv: string | null }) {}

  static fromConfig() {
    return new LeaseKeyring({
      path: app.config.get<string>('leases.keyringPath'),
      fromEnv: app.config.get<string | null>('leases.keyringFromEnv'),
    })
  }

  get source() {
    return this.options.fromEnv ? 'LEASE_KEYRING' : this.options.path
  }

  async signingKey(): Promise<SigningKey> {
    await this.refresh()
    return this.#signing!
  }

  async publishedKeys(): Promise<PublishedKey[]> {
    await this.refresh()
    return this.#published
  }

  /** The keyring as it is now, created when it does not exist yet. */
  async load() {
    return this.refresh(true)
  }

  /**
   * Rotates the file's keyring. With `LEASE_KEYRING` nothing is written:
   * the caller shows the new value, to be set on every server. Reading the
   * keyring and writing the rotated one is one step under a lock shared by
   * all processes: two rotations at once would otherwise both start from
   * the same keyring, and one of them would be lost.
   */
  async rotate(now: Date) {
    if (this.options.fromEnv) return rotated(await this.load(), now)
    const [acquired, result] = await lock
      .createLock('keyward:lease_keyring:rotate', '30s')
      .run(async () => {
        const next = rotated(await this.load(), now)
        await this.write(next.keyring, { replace: true })
        this.remember(next.keyring, null)
        return next
      })
    if (!acquired) throw new Error('Another rotation of the lease keyring is running; try again')
    return result
  }

  protected async refresh(force = false) {
    if (this.options.fromEnv) {
      if (!this.#data) this.remember(parseKeyring(this.decodeEnv(), 'LEASE_KEYRING'), null)
      return this.#data!
    }
    const reloadEvery = app.config.get<number>('leases.reloadEverySeconds', 5) * 1000
    if (!force && this.#data && Date.now() - this.#checkedAt < reloadEvery) return this.#data

    this.#checkedAt = Date.now()
    const version = await this.fileVersion()
    if (version === null) {
      const created = { version: 1 as const, keys: [generateKey(new Date())] }
      await this.write(created, { replace: false })
      return this.readFile()
    }
    if (this.#data && version === this.#fileVersion) return this.#data
    return this.readFile()
  }

  protected async readFile() {
    const version = await this.fileVersion()
    const data = parseKeyring(await readFile(this.options.path, 'utf8'), this.options.path)
    this.remember(data, version)
    return data
  }

  protected remember(data: KeyringData, fileVersion: number | null) {
    const current = data.keys.at(-1)!
    this.#data = data
    this.#fileVersion = fileVersion
    this.#signing = { kid: current.kid, privateKey: privateKeyOf(current) }
    this.#published = data.keys.map((key) => ({
      kid: key.kid,
      kty: 'OKP',
      crv: 'Ed25519',
      alg: 'EdDSA',
      use: 'sig',
      x: publicX(privateKeyOf(key)),
      status: key === current ? 'active' : 'retired',
      created_at: key.created_at,
      retired_at: key.retired_at,
      endorsed_by: key.endorsed_by,
      endorsement: key.endorsement,
    }))
  }

  protected decodeEnv() {
    return Buffer.from(this.options.fromEnv!, 'base64url').toString('utf8')
  }

  protected async fileVersion() {
    try {
      const info = await stat(this.options.path)
      return info.mtimeMs * 1e6 + info.size
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
  }

  /**
   * Writes through a temporary file so no reader sees half a keyring. A
   * first keyring is linked into place, which fails when another process
   * created one first: then that one wins and ours is dropped.
   */
  protected async write(data: KeyringData, options: { replace: boolean }) {
    await mkdir(dirname(this.options.path), { recursive: true, mode: 0o700 })
    const temporary = `${this.options.path}.${randomBytes(6).toString('hex')}.tmp`
    await writeFile(temporary, JSON.stringify(data, null, 2) + '\n', { mode: 0o600, flag: 'wx' })
    if (options.replace) {
      await rename(temporary, this.options.path)
      return
    }
    try {
      await link(temporary, this.options.path)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    } finally {
      await unlink(temporary)
    }
  }
}
