/** What a counted heartbeat answers. */
export interface BeatRow {
  expires_at: Date
  client_version: string | null
  product_id: number
}

export interface BeatRequest {
  at: Date
  tokenHash: string
  licenseKey: string
}

export interface HeartbeatBatcherOptions {
  /** Beats in one statement at most; 1 sends every beat alone. */
  maxBatch: number
  /** Statements in flight at once, each on a connection of its own. */
  maxInFlight: number
  /** Runs a batch of beats of distinct sessions; answers the counted ones by token hash. */
  runBatch: (beats: BeatRequest[]) => Promise<Map<string, BeatRow>>
  /** Runs one beat alone (the path with every fallback): after a batch failed. */
  runOne: (beat: BeatRequest) => Promise<BeatRow | undefined>
}

type Pending = BeatRequest & {
  resolve: (row: BeatRow | undefined) => void
  reject: (error: unknown) => void
}

/**
 * Group commit of heartbeats. Beats that arrive while earlier ones are on
 * their way to the database wait, and go together in the next statement:
 * under load one statement, one round trip and one commit carry many beats;
 * a lone beat goes at once, as before. A beat's promise settles only after
 * its statement committed, so an answer 200 still means "recorded".
 *
 * A session's beats keep their order: a beat waits while an earlier beat of
 * the same session is in flight, and one statement never holds two beats of
 * one session. When a batch fails, each of its beats is run alone, so every
 * beat gets exactly the answer (or error) it would have had on its own.
 */
export default class HeartbeatBatcher {
  #queue: Pending[] = []
  #sessionsInFlight = new Set<string>()
  #inFlight = 0
  #scheduled = false
  #sent = { statements: 0, beats: 0 }
  readonly #options: HeartbeatBatcherOptions

  constructor(options: HeartbeatBatcherOptions) {
    this.#options = options
  }

  beat(request: BeatRequest): Promise<BeatRow | undefined> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ ...request, resolve, reject })
      this.#schedule()
    })
  }

  /** Beats waiting for a statement, and statements on their way. */
  get backlog() {
    return { waiting: this.#queue.length, inFlight: this.#inFlight }
  }

  /** Batches sent and the beats they carried, since the process started. */
  get sent() {
    return { ...this.#sent }
  }

  /**
   * Sends after the current turn of the event loop, so that beats whose
   * requests were read in the same turn share a statement.
   */
  #schedule() {
    if (this.#scheduled || this.#inFlight >= this.#options.maxInFlight) return
    this.#scheduled = true
    setImmediate(() => {
      this.#scheduled = false
      this.#pump()
    })
  }

  #pump() {
    while (this.#inFlight < this.#options.maxInFlight) {
      const batch = this.#take()
      if (batch.length === 0) return
      this.#inFlight++
      this.#sent.statements++
      this.#sent.beats += batch.length
      for (const beat of batch) this.#sessionsInFlight.add(beat.tokenHash)
      void this.#send(batch).finally(() => {
        this.#inFlight--
        for (const beat of batch) this.#sessionsInFlight.delete(beat.tokenHash)
        if (this.#queue.length > 0) this.#schedule()
      })
    }
  }

  /** The oldest waiting beats, at most one per session and none of a session in flight. */
  #take() {
    const batch: Pending[] = []
    const sessions = new Set<string>()
    const left: Pending[] = []
    for (const pending of this.#queue) {
      const free =
        batch.length < this.#options.maxBatch &&
        !sessions.has(pending.tokenHash) &&
        !this.#sessionsInFlight.has(pending.tokenHash)
      if (free) {
        batch.push(pending)
        sessions.add(pending.tokenHash)
      } else {
        left.push(pending)
      }
    }
    this.#queue = left
    return batch
  }

  async #send(batch: Pending[]) {
    if (batch.length === 1) return this.#sendAlone(batch[0])
    let rows: Map<string, BeatRow>
    try {
      rows = await this.#options.runBatch(batch)
    } catch {
      await Promise.all(batch.map((pending) => this.#sendAlone(pending)))
      return
    }
    for (const pending of batch) pending.resolve(rows.get(pending.tokenHash))
  }

  async #sendAlone(pending: Pending) {
    try {
      pending.resolve(await this.#options.runOne(pending))
    } catch (error) {
      pending.reject(error)
    }
  }
}
