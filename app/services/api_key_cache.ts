/** An API key as a client request knows it once authenticated. */
export interface AuthenticatedApiKey {
  id: number
  name: string
}

export interface ApiKeyCacheOptions {
  /** How long an authenticated key is believed without asking the database. */
  ttlMs: number
  /** Keys remembered at most; the oldest go first. */
  maxEntries: number
  now?: () => number
}

/**
 * A process's memory of the API keys it has authenticated, by digest, so
 * that a client request does not pay a database round trip for its key.
 *
 * Two things keep a revoked key from passing:
 * - revocation through Keyward drops the key here and publishes its digest
 *   on Redis, and every process that hears it drops it too, at once;
 * - an entry lives `ttlMs` at most (1 s), which bounds what any missed
 *   message can cost: a revocation written by hand in SQL, a restored
 *   backup, a message lost while Redis was away.
 *
 * The cache is only used while this process is subscribed (`live`): a
 * process that cannot hear revocations asks the database every time.
 */
export default class ApiKeyCache {
  #entries = new Map<string, { key: AuthenticatedApiKey; until: number }>()
  #live = false
  readonly #ttlMs: number
  readonly #maxEntries: number
  readonly #now: () => number

  constructor(options: ApiKeyCacheOptions) {
    this.#ttlMs = options.ttlMs
    this.#maxEntries = options.maxEntries
    this.#now = options.now ?? Date.now
  }

  get live() {
    return this.#live
  }

  /** Live while subscribed to revocations; going either way forgets everything. */
  setLive(live: boolean) {
    this.#live = live
    this.#entries.clear()
  }

  get(digest: string): AuthenticatedApiKey | undefined {
    if (!this.#live) return undefined
    const entry = this.#entries.get(digest)
    if (!entry) return undefined
    if (entry.until <= this.#now()) {
      this.#entries.delete(digest)
      return undefined
    }
    return entry.key
  }

  set(digest: string, key: AuthenticatedApiKey) {
    if (!this.#live || this.#ttlMs <= 0) return
    this.#entries.delete(digest)
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
    this.#entries.set(digest, { key, until: this.#now() + this.#ttlMs })
  }

  forget(digest: string) {
    this.#entries.delete(digest)
  }

  get size() {
    return this.#entries.size
  }
}
