import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'

/** One answer (or failure to answer) the load saw. */
export interface Outcome {
  path: string
  server: string
  /** HTTP status, or 0 when no answer came (refused, reset, timed out). */
  status: number
  code?: string
  ms: number
  at: number
  retryAfter?: string | null
}

/**
 * A record of every request a load made, for assertions and figures.
 */
export class Ledger {
  readonly outcomes: Outcome[] = []

  add(outcome: Outcome) {
    this.outcomes.push(outcome)
  }

  where(filter: (outcome: Outcome) => boolean) {
    return this.outcomes.filter(filter)
  }

  byStatus(outcomes = this.outcomes) {
    const counts: Record<string, number> = {}
    for (const outcome of outcomes) counts[outcome.status] = (counts[outcome.status] ?? 0) + 1
    return counts
  }

  static percentile(values: number[], p: number) {
    if (values.length === 0) return 0
    const sorted = [...values].sort((left, right) => left - right)
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]
  }
}

/**
 * POSTs JSON to a Keyward server as a client program does, with a deadline,
 * and records the outcome. Never throws: a failed connection is status 0.
 */
export async function post(
  ledger: Ledger,
  server: string,
  path: string,
  body: Record<string, unknown>,
  headers: Record<string, string>,
  timeoutMs = 5000
) {
  const startedAt = performance.now()
  try {
    const response = await fetch(`${server}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await response.text()
    let json: any = null
    try {
      json = JSON.parse(text)
    } catch {}
    const outcome: Outcome = {
      path,
      server,
      status: response.status,
      code: json?.error?.code,
      ms: performance.now() - startedAt,
      at: Date.now(),
      retryAfter: response.headers.get('retry-after'),
    }
    ledger.add(outcome)
    return { outcome, json }
  } catch {
    const outcome: Outcome = {
      path,
      server,
      status: 0,
      ms: performance.now() - startedAt,
      at: Date.now(),
    }
    ledger.add(outcome)
    return { outcome, json: null }
  }
}

/** A fingerprint as the SDK makes one: opaque and unique per machine. */
export const machineFingerprint = () => `fp-${randomBytes(8).toString('hex')}`

export interface SessionProgramOptions {
  apiKey: string
  licenseKey: string
  servers: string[]
  /** Index of the server it talks to first. */
  home: number
  ledger: Ledger
  /** Headers of its own (X-Forwarded-For through a trusted proxy). */
  headers?: Record<string, string>
  heartbeatEveryMs?: number
}

/**
 * A client program that holds a session: start (retrying while the license
 * is full), heartbeats until told to stop, end. When its server does not
 * answer it moves to the next one, as behind a load balancer; the session
 * (state in PostgreSQL) goes on there. Counts every 200 heartbeat by token.
 */
export class SessionProgram {
  readonly fingerprint = machineFingerprint()
  token: string | null = null
  server: number
  readonly okHeartbeats = new Map<string, number>()
  /** Tokens that got a 200 heartbeat from each server. */
  readonly tokensByServer = new Map<string, Set<string>>()
  #stopped = false

  constructor(protected options: SessionProgramOptions) {
    this.server = options.home
  }

  get url() {
    return this.options.servers[this.server]
  }

  protected headers() {
    return { 'x-api-key': this.options.apiKey, ...this.options.headers }
  }

  protected failover() {
    this.server = (this.server + 1) % this.options.servers.length
  }

  stop() {
    this.#stopped = true
  }

  async run() {
    const every = this.options.heartbeatEveryMs ?? 200
    while (!this.#stopped) {
      if (!this.token) await this.start()
      else await this.heartbeat()
      await sleep(every * (0.75 + Math.random() * 0.5))
    }
    if (this.token) {
      const token = this.token
      for (let attempt = 0; attempt < this.options.servers.length; attempt++) {
        const { outcome } = await post(
          this.options.ledger,
          this.url,
          '/api/license/session/end',
          { session_token: token },
          this.headers()
        )
        if (outcome.status !== 0) break
        this.failover()
      }
      this.token = null
    }
  }

  protected async start() {
    const { outcome, json } = await post(
      this.options.ledger,
      this.url,
      '/api/license/session/start',
      { license_key: this.options.licenseKey, hardware_fingerprint: this.fingerprint },
      this.headers()
    )
    if (outcome.status === 201 || outcome.status === 200) this.token = json.session_token
    else if (outcome.status === 0) this.failover()
  }

  protected async heartbeat() {
    const token = this.token!
    const { outcome } = await post(
      this.options.ledger,
      this.url,
      '/api/license/session/heartbeat',
      { session_token: token, license_key: this.options.licenseKey },
      this.headers()
    )
    if (outcome.status === 200) {
      this.okHeartbeats.set(token, (this.okHeartbeats.get(token) ?? 0) + 1)
      const tokens = this.tokensByServer.get(this.url) ?? new Set()
      tokens.add(token)
      this.tokensByServer.set(this.url, tokens)
    } else if (outcome.status === 410 || outcome.status === 404) {
      this.token = null
    } else if (outcome.status === 0) {
      this.failover()
    }
  }
}

/**
 * A client program that activates its machine, verifies the license a few
 * times and deactivates, over and over, until told to stop.
 */
export class DeviceProgram {
  #stopped = false

  constructor(
    protected options: {
      apiKey: string
      licenseKey: string
      server: string
      ledger: Ledger
      headers?: Record<string, string>
      pauseMs?: number
    }
  ) {}

  stop() {
    this.#stopped = true
  }

  async run() {
    const { apiKey, licenseKey, server, ledger } = this.options
    const headers = { 'x-api-key': apiKey, ...this.options.headers }
    const device = { license_key: licenseKey, hardware_fingerprint: machineFingerprint() }
    const steps = ['activate', 'verify', 'verify', 'verify', 'deactivate']
    while (!this.#stopped) {
      for (const step of steps) {
        await post(ledger, server, `/api/license/${step}`, device, headers)
        await sleep((this.options.pauseMs ?? 200) * (0.75 + Math.random() * 0.5))
      }
    }
  }
}

/**
 * The load of the fault tests: `sessions` programs holding a session each
 * and `devices` programs activating, verifying and deactivating, on licenses
 * of their own (in that order), one request every `everyMs` or so each.
 * `headersFor(index)` gives a program headers of its own (a client address).
 */
export function startMixedLoad(options: {
  apiKey: string
  licenseKeys: string[]
  server: string
  sessions: number
  devices: number
  everyMs: number
  headersFor?: (index: number) => Record<string, string>
}) {
  const { apiKey, licenseKeys, server, everyMs } = options
  const ledger = new Ledger()
  const headersFor = options.headersFor ?? (() => ({}))
  const sessions = Array.from(
    { length: options.sessions },
    (_, index) =>
      new SessionProgram({
        apiKey,
        licenseKey: licenseKeys[index],
        servers: [server],
        home: 0,
        ledger,
        headers: headersFor(index),
        heartbeatEveryMs: everyMs,
      })
  )
  const devices = Array.from({ length: options.devices }, (_, offset) => {
    const index = options.sessions + offset
    return new DeviceProgram({
      apiKey,
      licenseKey: licenseKeys[index],
      server,
      ledger,
      headers: headersFor(index),
      pauseMs: everyMs,
    })
  })
  const clients = [...sessions, ...devices]
  const running = clients.map((client) => client.run())
  return {
    ledger,
    sessions,
    async stop() {
      for (const client of clients) client.stop()
      await Promise.all(running)
    },
  }
}
