/**
 * A value read at scrape time that costs I/O (a count in the database, a
 * Redis call, a statfs): the last answer is reused for `ttlMs`, a refresh
 * may hold a scrape at most `timeoutMs`, and only one refresh runs at a
 * time. A refresh that fails or takes too long gives `undefined` (the
 * caller reports the dependency down, or leaves the series out) instead of
 * failing the scrape; while a slow one is still running, later scrapes do
 * not wait for it again.
 */
export class CachedProbe<T> {
  #value: T | undefined
  #ok = false
  #readAt = Number.NEGATIVE_INFINITY
  #running: Promise<void> | null = null

  constructor(
    protected read: () => Promise<T>,
    protected options: { ttlMs: number; timeoutMs: number; now?: () => number }
  ) {}

  protected now() {
    return (this.options.now ?? Date.now)()
  }

  /** The value, fresh enough; `undefined` when the last read failed or has not ended in time. */
  async get(): Promise<T | undefined> {
    if (this.now() - this.#readAt < this.options.ttlMs) return this.#ok ? this.#value : undefined
    if (this.#running) return undefined
    const running = this.#refresh()
    this.#running = running
    void running.finally(() => {
      if (this.#running === running) this.#running = null
    })
    let timer: NodeJS.Timeout | undefined
    const gaveUp = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.options.timeoutMs)
      timer.unref()
    })
    const outcome = await Promise.race([running, gaveUp])
    clearTimeout(timer)
    if (outcome === 'timeout') return undefined
    return this.#ok ? this.#value : undefined
  }

  async #refresh() {
    try {
      this.#value = await this.read()
      this.#ok = true
    } catch {
      this.#value = undefined
      this.#ok = false
    }
    this.#readAt = this.now()
  }

  /** Forgets the last value: the next `get` reads again. */
  forget() {
    this.#readAt = Number.NEGATIVE_INFINITY
  }
}
