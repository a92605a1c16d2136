import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { ApiError } from '#exceptions/api_error'

/**
 * The extension point for a product's client configuration (the
 * version-gate plugin): which client versions may start sessions, the
 * update notice they get, and the heartbeat settings of the product's
 * sessions. Without a provider, every product uses the global settings and
 * no version is checked.
 */

/** The `update` object of API.md. */
export interface UpdateNotice {
  current_version: string
  minimum_version: string
  download_url: string | null
  whats_new: string | null
  /** True when the client's version is no longer supported: it is refused. */
  required: boolean
}

export interface SessionTiming {
  heartbeatInterval: number
  timeout: number
}

/** What the client configuration says about one client of one product. */
export interface ClientTerms {
  /** Heartbeat settings for new sessions; absent means the global ones. */
  timing?: SessionTiming
  /** `SESSION_LIMIT_REACHED` text per locale, replacing the default one. */
  sessionLimitMessage?: Partial<Record<string, string>>
  /** Absent when the client is up to date (or did not say its version). */
  update?: UpdateNotice
}

export interface ClientQuery {
  productId: number
  /** The version the client sent, as sent; null when it sent none. */
  version: string | null
}

export interface ClientConfigProvider {
  /**
   * Read fresh, inside the caller's transaction when given: `start` and
   * `verify` must see a change the moment it is saved.
   *
   * @throws ApiError `VALIDATION_ERROR` when the version is malformed.
   */
  termsFor(query: ClientQuery, client?: QueryClientContract): Promise<ClientTerms>

  /**
   * The notice for a running session's heartbeat. It may come from a cache
   * of a few seconds: heartbeats are the hot path, and a notice is advice.
   */
  heartbeatUpdate(query: ClientQuery): Promise<UpdateNotice | null>
}

/**
 * Holds the one provider a plugin registers from its provider. The core asks
 * it through `termsFor` and `heartbeatUpdate`, which answer "nothing to say"
 * while no provider is registered.
 */
export class ClientConfigRegistry {
  #provider: ClientConfigProvider | null = null

  register(provider: ClientConfigProvider) {
    if (this.#provider) throw new Error('A client configuration provider is registered twice')
    this.#provider = provider
  }

  get active() {
    return this.#provider !== null
  }

  async termsFor(query: ClientQuery, client?: QueryClientContract): Promise<ClientTerms> {
    return this.#provider ? this.#provider.termsFor(query, client) : {}
  }

  /**
   * The terms for a client that may go on; a required update refuses it.
   *
   * @throws ApiError `426 VERSION_TOO_OLD` with the notice as `error.update`.
   */
  async admit(query: ClientQuery, client?: QueryClientContract): Promise<ClientTerms> {
    const terms = await this.termsFor(query, client)
    if (terms.update?.required) {
      throw new ApiError('VERSION_TOO_OLD', { update: terms.update }).concerning({
        productId: query.productId,
      })
    }
    return terms
  }

  async heartbeatUpdate(query: ClientQuery): Promise<UpdateNotice | null> {
    if (!this.#provider || query.version === null) return null
    return this.#provider.heartbeatUpdate(query)
  }
}
