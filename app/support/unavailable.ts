import { Exception } from '@adonisjs/core/exceptions'

/** What the app cannot work without: PostgreSQL, and Redis for the panel. */
export type Dependency = 'database' | 'redis'

/** Seconds a client or browser is told to wait (`Retry-After`) during an outage. */
export const RETRY_AFTER_SECONDS = 5

/**
 * Thrown where a request needs a dependency that is known to be down, so it
 * is refused at once instead of waiting for a reconnection.
 */
export class DependencyUnavailableError extends Exception {
  static status = 503
  constructor(readonly dependency: Dependency) {
    super(`${dependency} is unavailable`, { status: 503, code: 'E_DEPENDENCY_UNAVAILABLE' })
  }
}

/**
 * SQLSTATEs of a database that is away rather than of a bad statement:
 * class 08 (connection exception), 57P01–57P03 (shut down, crashed,
 * starting up) and 53300 (no connection slot left).
 */
const DATABASE_STATES = new Set(['57P01', '57P02', '57P03', '53300'])

/** Socket errors: only pg surfaces them to a request (ioredis reconnects instead). */
const SOCKET_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
])

const DATABASE_MESSAGES = [
  /^Connection terminated/,
  /^Client has encountered a connection error/,
  /^Client was closed and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Knex: Timeout acquiring a connection/,
  // A transaction whose connection died under it.
  /^Transaction query already complete/,
]

const REDIS_MESSAGES = [
  /^Connection is closed\.$/,
  /^Command timed out$/,
  /^Stream isn't writeable/,
  /^Reached the max retries per request limit/,
]

/**
 * The driver's own words: knex puts the statement in front of a pg error's
 * message (`select … - Connection terminated unexpectedly`).
 */
function reasonOf(message: string) {
  const separator = message.lastIndexOf(' - ')
  return separator === -1 ? message : message.slice(separator + 3)
}

function classify(error: unknown): Dependency | null {
  if (error instanceof DependencyUnavailableError) return error.dependency
  if (!(error instanceof Error)) return null
  const { code } = error as { code?: unknown }
  if (error.name === 'MaxRetriesPerRequestError') return 'redis'
  if (REDIS_MESSAGES.some((pattern) => pattern.test(error.message))) return 'redis'
  if (error.name === 'KnexTimeoutError') return 'database'
  if (typeof code === 'string') {
    if (code.startsWith('08') || DATABASE_STATES.has(code) || SOCKET_ERRORS.has(code)) {
      return 'database'
    }
  }
  const reason = reasonOf(error.message)
  if (DATABASE_MESSAGES.some((pattern) => pattern.test(reason))) return 'database'
  return null
}

/**
 * Which dependency an error says is away, or null for any other error.
 * Follows `cause` (and AggregateError's `errors`, as Node reports a refused
 * connection to a host with several addresses) a few levels deep.
 */
export function unavailableDependencyOf(error: unknown, depth = 0): Dependency | null {
  const found = classify(error)
  if (found || depth >= 3 || !(error instanceof Error)) return found
  const nested = [
    (error as { cause?: unknown }).cause,
    ...(error instanceof AggregateError ? error.errors : []),
  ]
  for (const inner of nested) {
    const dependency = unavailableDependencyOf(inner, depth + 1)
    if (dependency) return dependency
  }
  return null
}
