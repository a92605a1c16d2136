import { hostname } from 'node:os'
import type { Registry } from 'prom-client'
import { type CounterSnapshot, deltasBetween, snapshotOf } from './http_deltas.js'
import type MonitoringStore from './store.js'

export interface MonitoringSamplerOptions {
  /** Milliseconds between two samples while started. */
  intervalMs: number
  /** Names this process in the store; `host:pid` by default. */
  processId?: string
  /** "Now" in ms (tests pass a clock of their own). */
  now?: () => number
  /** True while Redis is known to be down: the sample is skipped without waiting for it. */
  redisDown?: () => boolean
  /** Told of a sample that failed (once per outage is the caller's business). */
  onError?: (error: unknown) => void
}

export type SampleOutcome = 'written' | 'skipped'

/**
 * Samples this process's HTTP request counter and latency histogram every
 * few seconds and adds what they grew by into the shared store, so that the
 * monitoring page of any process shows the whole installation.
 *
 * A sample that cannot be written (Redis away) is skipped and the baseline
 * is kept: the next sample that lands carries the requests of both. Nothing
 * here ever fails a request; samples never overlap.
 */
export default class MonitoringSampler {
  readonly processId: string
  #previous: CounterSnapshot = new Map()
  #timer?: NodeJS.Timeout
  #running?: Promise<SampleOutcome>

  constructor(
    protected registry: Registry,
    protected store: MonitoringStore,
    protected options: MonitoringSamplerOptions
  ) {
    this.processId = options.processId ?? `${hostname()}:${process.pid}`
  }

  get started() {
    return this.#timer !== undefined
  }

  start() {
    if (this.#timer) return
    this.#timer = setInterval(() => void this.sample(), this.options.intervalMs)
    this.#timer.unref()
  }

  /** Stops sampling; waits for a sample under way. */
  async stop() {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#running
  }

  /** Takes one sample now (a sample already under way is awaited instead). */
  sample(): Promise<SampleOutcome> {
    this.#running ??= this.#sample().finally(() => (this.#running = undefined))
    return this.#running
  }

  async #sample(): Promise<SampleOutcome> {
    if (this.options.redisDown?.()) return 'skipped'
    try {
      const current = await snapshotOf(this.registry)
      const at = this.options.now?.() ?? Date.now()
      await this.store.add(this.processId, at, deltasBetween(this.#previous, current))
      this.#previous = current
      return 'written'
    } catch (error) {
      this.options.onError?.(error)
      return 'skipped'
    }
  }
}
