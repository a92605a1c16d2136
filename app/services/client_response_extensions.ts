import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { DateTime } from 'luxon'
import type License from '#models/license'
import type Product from '#models/product'

/**
 * The extension point for what a client is told: the fields a plugin adds
 * to the answer of `verify`, of `session/start`, and to the claims of a
 * signed lease (resource pools, entitlements). The core's own fields come
 * first and are never replaced; with nothing registered every answer is
 * exactly the core's.
 */

/** Where a plugin's field goes. */
export type ClientResponsePoint = 'verify' | 'session_start' | 'lease'

/** A JSON value, as a field's source returns it. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/**
 * The call a field is computed for. The license is the one answered about,
 * with its product loaded; treat both as read-only.
 */
export interface ClientResponseContext {
  point: ClientResponsePoint
  license: License
  product: Product
  /** The device asking; null when the call names none (a verify without one). */
  fingerprint: string | null
  /** The moment of the call, as the rest of the answer uses it. */
  now: DateTime
  /**
   * The open transaction when the call runs in one (`session_start` does:
   * it holds the license's row lock). Read and write through it; a source
   * that throws rolls the whole start back.
   */
  client?: TransactionClientContract
  /** At `verify` only: the answer's code (`VALID`, `EXPIRED`, ...). */
  code?: string
}

/**
 * Computes a field's value, or `undefined` to leave the field out of this
 * answer. A source that throws fails the call.
 */
export type ClientResponseSource = (
  context: ClientResponseContext
) => Promise<JsonValue | undefined>

/** Fields of the core's answer at each point: a plugin cannot take them. */
export const CORE_FIELDS: Record<ClientResponsePoint, readonly string[]> = {
  verify: ['valid', 'code', 'license', 'entitlements', 'lease', 'update', 'error'],
  session_start: [
    'session_token',
    'resumed',
    'heartbeat_interval',
    'session_timeout',
    'expires_at',
    'entitlements',
    'grace_ends_at',
    'lease',
    'update',
    'error',
  ],
  lease: [
    'license_key',
    'product',
    'fingerprint',
    'features',
    'entitlements',
    'status',
    'license_expires_at',
    'grace_ends_at',
    'issued_at',
    'valid_until',
    'iat',
    'exp',
    // Registered JWT claims (RFC 7519): JWT libraries give them a meaning.
    'iss',
    'sub',
    'aud',
    'nbf',
    'jti',
  ],
}

const POINTS = Object.keys(CORE_FIELDS) as ClientResponsePoint[]
const FIELD_NAME = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/

interface Registered {
  source: ClientResponseSource
  owner: string | null
}

/**
 * Holds the fields plugins add, per point, in registration order (one
 * instance per process, a container singleton). Plugins call `add` from
 * their provider's `boot`.
 */
export class ClientResponseExtensions {
  readonly #fields = new Map<ClientResponsePoint, Map<string, Registered>>(
    POINTS.map((point) => [point, new Map()])
  )

  /**
   * Adds `field` to every answer at `point`, computed by `source`.
   *
   * @param options.owner the plugin's name, for error messages
   * @returns the undo: removes the field again (tests clean up with it)
   * @throws when the name is not snake_case, is one of the core's fields at
   * that point, or was added already
   */
  add(
    point: ClientResponsePoint,
    field: string,
    source: ClientResponseSource,
    options: { owner?: string } = {}
  ): () => void {
    const fields = this.#fields.get(point)
    if (!fields) {
      throw new Error(
        `Unknown client response point "${point}": use one of ${POINTS.map((name) => `"${name}"`).join(', ')}`
      )
    }
    const who = options.owner ? `Plugin "${options.owner}"` : 'A plugin'
    if (!FIELD_NAME.test(field)) {
      throw new Error(
        `${who} cannot add "${field}" to ${point}: a field name is snake_case (e.g. "seat_pool")`
      )
    }
    if (CORE_FIELDS[point].includes(field)) {
      throw new Error(
        `${who} cannot add "${field}" to ${point}: the core's answer has a field of that name`
      )
    }
    const taken = fields.get(field)
    if (taken) {
      const holder = taken.owner ? `plugin "${taken.owner}"` : 'another plugin'
      throw new Error(`${who} cannot add "${field}" to ${point}: ${holder} added it already`)
    }
    const entry: Registered = { source, owner: options.owner ?? null }
    fields.set(field, entry)
    return () => {
      if (fields.get(field) === entry) fields.delete(field)
    }
  }

  /** The fields added at `point`, in order. */
  fieldsOf(point: ClientResponsePoint) {
    return [...this.#fields.get(point)!.keys()]
  }

  /**
   * The plugins' fields for one answer, in registration order, without
   * those whose source returned `undefined`. Sources run one after the
   * other: inside a transaction they share its connection.
   */
  async collect(
    point: ClientResponsePoint,
    context: Omit<ClientResponseContext, 'point'>
  ): Promise<Record<string, JsonValue>> {
    const fields = this.#fields.get(point)!
    const added: Record<string, JsonValue> = {}
    if (fields.size === 0) return added
    const frozen: ClientResponseContext = Object.freeze({ ...context, point })
    for (const [field, { source }] of fields) {
      const value = await source(frozen)
      if (value !== undefined) added[field] = value
    }
    return added
  }
}
