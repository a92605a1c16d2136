/**
 * A value read at scrape time that costs I/O (a count in the database, a
 * Redis call, a statfs): the last answer is reused for `ttlMs`, and only
 * one refresh runs at a time; callers that come while it runs share it. No
 * caller waits longer than `timeoutMs` from the refresh's start: a refresh
 * that fails or takes longer gives `undefined` (the caller reports the
 * dependency down, or leaves the series out) instead of failing the
 * scrape, and a hung one is not waited for again by later scrapes.
 */
export class CachedProbe<T> {
  #value: T | undefined
  #ok = false
  #readAt = Number.NEGATIVE_INFINITY
  #running: { done: Promise<void>; startedAt: number } | null = null

  constructor(
    protected read: () => Promise<T>,
    protected options: {
      /** How long a value is reused (ms); a function is asked each time (settings tests change). */
      ttlMs: number | (() => number)
      timeoutMs: number
      now?: () => number
    }
  ) {}

  protected get ttlMs() {
    const { ttlMs } = this.options
    return typeof ttlMs === 'function' ? ttlMs() : ttlMs
  }

  protected now() {
    return (this.options.now ?? Date.now)()
  }

  /** The value, fresh enough; `undefined` when the last read failed or has not ended in time. */
  async get(): Promise<T | undefined> {
    if (this.now() - this.#readAt < this.ttlMs) return this.#ok ? this.#value : undefined
    if (!this.#running) {
      const running = { done: this.#refresh(), startedAt: this.now() }
      this.#running = running
      void running.done.finally(() => {
        if (this.#running === running) this.#running = null
      })
    }
    const { done, startedAt } = this.#running
    const budgetMs = this.options.timeoutMs - (this.now() - startedAt)
    if (budgetMs <= 0) return undefined
    let timer: NodeJS.Timeout | undefined
    const gaveUp = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), budgetMs)
      timer.unref()
    })
    const outcome = await Promise.race([done, gaveUp])
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
