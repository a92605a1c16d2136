import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type securityConfig from '#config/security'
import { unavailableDependencyOf } from '#support/unavailable'
import {
  securityEventRow,
  type SecurityEventInput,
  type SecurityEventRow,
} from '#services/security/security_events'

type RecorderSettings = Pick<
  typeof securityConfig,
  'recording' | 'flushIntervalMs' | 'flushBatch' | 'maxBuffered'
>

/**
 * Records security events without making the request that refused wait:
 * `record` only pushes onto an in-process buffer, which is written in one
 * multi-row INSERT every `flushIntervalMs` (or as soon as it holds
 * `flushBatch` events), and once more when the process shuts down. While
 * the database is away the events wait in the buffer, up to `maxBuffered`;
 * past that the oldest are dropped and counted, never the request.
 *
 * One per process (a container singleton, see providers/security_provider).
 */
export class SecurityEventRecorder {
  #buffer: SecurityEventRow[] = []
  #timer: NodeJS.Timeout | null = null
  #flushing: Promise<void> = Promise.resolve()
  #dropped = 0

  constructor(protected settings: RecorderSettings) {}

  get enabled() {
    return this.settings.recording
  }

  /** Events not written yet. */
  get pending() {
    return this.#buffer.length
  }

  record(input: SecurityEventInput) {
    if (!this.settings.recording) return
    this.#buffer.push(securityEventRow(input, new Date()))
    if (this.#buffer.length > this.settings.maxBuffered) {
      this.#buffer.splice(0, this.#buffer.length - this.settings.maxBuffered)
      this.#noteDropped(1)
    }
    if (this.#buffer.length >= this.settings.flushBatch) {
      this.#schedule(0)
    } else {
      this.#schedule(this.settings.flushIntervalMs)
    }
  }

  #schedule(delayMs: number) {
    if (this.#timer && delayMs > 0) return
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = setTimeout(() => {
      this.#timer = null
      void this.flush()
    }, delayMs)
    this.#timer.unref()
  }

  /** Writes everything buffered so far; resolves once it is in the table (or given up on). */
  flush(): Promise<void> {
    this.#flushing = this.#flushing.then(() => this.#writeAll())
    return this.#flushing
  }

  async #writeAll() {
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.splice(0, this.settings.flushBatch)
      try {
        await db.table('security_events').multiInsert(batch)
      } catch (error) {
        if (unavailableDependencyOf(error)) {
          // Back to the front, for the next flush; the caller's timer retries.
          this.#buffer.unshift(...batch)
          this.#schedule(this.settings.flushIntervalMs * 4)
          return
        }
        this.#dropped += batch.length
        logger.error({ err: error, events: batch.length }, 'security events could not be written')
      }
    }
  }

  #noteDropped(count: number) {
    // Logged at the first loss of a run of losses, not once per event.
    if (this.#dropped === 0) logger.warn('security events dropped: the buffer is full')
    this.#dropped += count
  }

  /** Events lost since the process started (buffer full, or a write refused). */
  get dropped() {
    return this.#dropped
  }

  /** The process is stopping: no timer left behind, the buffer written. */
  async close() {
    if (this.#timer) clearTimeout(this.#timer)
    this.#timer = null
    await this.flush()
  }
}
