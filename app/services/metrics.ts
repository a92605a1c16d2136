import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'
import { errors as vineErrors } from '@vinejs/vine'
import { ApiError } from '#exceptions/api_error'

/** Buckets of `keyward_http_request_duration_seconds` (seconds). */
export const HTTP_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

/** The route label of a request no route matched (unknown paths, assets, refusals before routing). */
export const UNMATCHED_ROUTE = 'unmatched'

export type SessionStartOutcome = 'created' | 'resumed' | 'replaced' | 'refused'
export type HeartbeatOutcome = 'accepted' | 'refused'
export type RateLimitScope = 'api' | 'panel_login'

/**
 * The error code a client is refused with (an ApiError below 500, or a
 * validation failure), or null for a failure that is no refusal (a fault,
 * an outage): those show as 5xx in the request metrics.
 */
export function refusalCodeOf(error: unknown): string | null {
  if (error instanceof ApiError) return error.status < 500 ? error.apiCode : null
  if (error instanceof vineErrors.E_VALIDATION_ERROR) return 'VALIDATION_ERROR'
  return null
}

interface RequestSeries {
  requests: Counter.Internal
  duration: Histogram.Internal<'method' | 'route'>
}

/**
 * The process' Prometheus registry and the metrics the application itself
 * records (docs/operations.md, "Metrics"). One instance per process, a
 * container singleton (providers/metrics_provider.ts); code that records an
 * outcome reaches it through `#services/metrics/main`.
 *
 * Labels are of bounded cardinality only: route patterns, methods, statuses,
 * outcomes and error codes, never a license key, fingerprint, address or id.
 *
 * With `enabled: false` (METRICS_ENABLED=false) every recording method
 * returns at once and nothing else is registered: no default metrics, no
 * scrape-time gauges, no route.
 */
export default class Metrics {
  readonly registry = new Registry()
  readonly enabled: boolean

  readonly httpRequests: Counter<'method' | 'route' | 'status'>
  readonly httpDuration: Histogram<'method' | 'route'>
  readonly sessionStarts: Counter<'outcome' | 'code'>
  readonly heartbeats: Counter<'outcome'>
  readonly apiRefusals: Counter<'code'>
  readonly activations: Counter
  readonly deactivations: Counter
  readonly rateLimitedRequests: Counter<'scope'>

  /** The label children of each (method, route, status) seen, so a request costs a map lookup. */
  #series = new Map<string, RequestSeries>()
  #defaultsCollected = false
  /** The outcomes every install has, present from the start (at 0) and cheap to count. */
  #heartbeatOutcomes: Record<HeartbeatOutcome, Counter.Internal>
  #startOutcomes: Record<Exclude<SessionStartOutcome, 'refused'>, Counter.Internal>

  constructor(options: { enabled: boolean }) {
    this.enabled = options.enabled
    const registers = [this.registry]
    this.httpRequests = new Counter({
      name: 'keyward_http_requests_total',
      help: 'HTTP requests answered, by method, route pattern (or "unmatched") and status.',
      labelNames: ['method', 'route', 'status'] as const,
      registers,
    })
    this.httpDuration = new Histogram({
      name: 'keyward_http_request_duration_seconds',
      help: 'Time from the request reaching the app to its answer, by method and route pattern.',
      labelNames: ['method', 'route'] as const,
      buckets: HTTP_DURATION_BUCKETS,
      registers,
    })
    this.sessionStarts = new Counter({
      name: 'keyward_session_starts_total',
      help: 'Session starts by outcome (created, resumed, replaced, refused) and refusal code.',
      labelNames: ['outcome', 'code'] as const,
      registers,
    })
    this.heartbeats = new Counter({
      name: 'keyward_heartbeats_total',
      help: 'Session heartbeats by outcome (accepted, refused).',
      labelNames: ['outcome'] as const,
      registers,
    })
    this.apiRefusals = new Counter({
      name: 'keyward_api_refusals_total',
      help: 'Client API requests refused (4xx), by the error code of the answer.',
      labelNames: ['code'] as const,
      registers,
    })
    this.activations = new Counter({
      name: 'keyward_activations_total',
      help: 'Devices bound to a license (committed activations).',
      registers,
    })
    this.deactivations = new Counter({
      name: 'keyward_deactivations_total',
      help: 'Devices released from a license (committed deactivations).',
      registers,
    })
    this.rateLimitedRequests = new Counter({
      name: 'keyward_rate_limited_total',
      help: 'Requests refused by a rate limit or lockout, by scope (api, panel_login).',
      labelNames: ['scope'] as const,
      registers,
    })
    this.#heartbeatOutcomes = {
      accepted: this.heartbeats.labels('accepted'),
      refused: this.heartbeats.labels('refused'),
    }
    this.#startOutcomes = {
      created: this.sessionStarts.labels('created', ''),
      resumed: this.sessionStarts.labels('resumed', ''),
      replaced: this.sessionStarts.labels('replaced', ''),
    }
  }

  /**
   * prom-client's process and Node.js metrics (CPU, memory, event-loop lag,
   * GC), without a prefix. Called by what serves this registry, once.
   */
  collectDefaults() {
    if (!this.enabled || this.#defaultsCollected) return
    this.#defaultsCollected = true
    collectDefaultMetrics({ register: this.registry })
  }

  /** One answered HTTP request; `route` is the matched route's pattern. */
  observeRequest(method: string, route: string | undefined, status: number, seconds: number) {
    if (!this.enabled) return
    const pattern = route ?? UNMATCHED_ROUTE
    const key = `${method} ${status} ${pattern}`
    let series = this.#series.get(key)
    if (!series) {
      series = {
        requests: this.httpRequests.labels(method, pattern, String(status)),
        duration: this.httpDuration.labels(method, pattern),
      }
      this.#series.set(key, series)
    }
    series.requests.inc()
    series.duration.observe(seconds)
  }

  /** A session start's outcome; `code` is the refusal's error code. */
  sessionStarted(outcome: SessionStartOutcome, code = '') {
    if (!this.enabled) return
    if (outcome === 'refused') this.sessionStarts.inc({ outcome, code })
    else this.#startOutcomes[outcome].inc()
  }

  /** A session start that failed: a refusal counts with its code, a fault does not count. */
  sessionStartFailed(error: unknown) {
    if (!this.enabled) return
    const code = refusalCodeOf(error)
    if (code !== null) this.sessionStarted('refused', code)
  }

  heartbeat(outcome: HeartbeatOutcome) {
    if (!this.enabled) return
    this.#heartbeatOutcomes[outcome].inc()
  }

  /** A heartbeat that failed: refused when the client was refused, not counted for a fault. */
  heartbeatFailed(error: unknown) {
    if (!this.enabled) return
    if (refusalCodeOf(error) !== null) this.heartbeat('refused')
  }

  /** A client API refusal, by its error code (one of API_ERRORS). */
  apiRefused(code: string) {
    if (!this.enabled) return
    this.apiRefusals.inc({ code })
  }

  activated() {
    if (!this.enabled) return
    this.activations.inc()
  }

  deactivated() {
    if (!this.enabled) return
    this.deactivations.inc()
  }

  rateLimited(scope: RateLimitScope) {
    if (!this.enabled) return
    this.rateLimitedRequests.inc({ scope })
  }

  /** The Prometheus text exposition of every metric of this registry. */
  async exposition() {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() }
  }
}
