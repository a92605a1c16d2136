import { randomBytes } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * Where the SDK keeps the last lease between runs. Values are small JSON
 * strings; `key` identifies server, license and device. Implement this to
 * keep leases somewhere else (an app's own settings, a keychain).
 */
export interface LeaseStore {
  load(key: string): Promise<string | null>
  save(key: string, value: string): Promise<void>
  delete(key: string): Promise<void>
}

/** The user's config folder: `~/.config/keyward`, `~/Library/Application Support/keyward`, `%APPDATA%\keyward`. */
export function defaultStoreFolder() {
  if (process.platform === 'win32') {
    return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'keyward')
  }
  if (process.platform === 'darwin') {
    return join(homedir(), 'Library', 'Application Support', 'keyward')
  }
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'keyward')
}

/** One file per key, readable by the user only, replaced atomically. */
export class FileStore implements LeaseStore {
  constructor(readonly folder: string = defaultStoreFolder()) {}

  path(key: string) {
    return join(this.folder, `${key.replace(/[^A-Za-z0-9_-]/g, '_')}.json`)
  }

  async load(key: string) {
    try {
      return await readFile(this.path(key), 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw error
    }
  }

  async save(key: string, value: string) {
    await mkdir(this.folder, { recursive: true, mode: 0o700 })
    const temporary = `${this.path(key)}.${randomBytes(6).toString('hex')}.tmp`
    await writeFile(temporary, value, { mode: 0o600 })
    await rename(temporary, this.path(key))
  }

  async delete(key: string) {
    await rm(this.path(key), { force: true })
  }
}

/** Keeps leases in memory only: no offline grace across restarts. */
export class MemoryStore implements LeaseStore {
  #values = new Map<string, string>()

  async load(key: string) {
    return this.#values.get(key) ?? null
  }

  async save(key: string, value: string) {
    this.#values.set(key, value)
  }

  async delete(key: string) {
    this.#values.delete(key)
  }
}
