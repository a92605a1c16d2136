import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import {
  ApiError,
  type ClientConfigProvider,
  type ClientQuery,
  type ClientTerms,
  type UpdateNotice,
} from '#plugin_host/api'
import { compareVersions, normalizeVersion } from './versions.js'
import { CONFIG_FIELDS } from './client_config_service.js'

/** What the gate reads of a client configuration. */
export interface GateConfig {
  currentVersion: string
  minimumVersion: string
  downloadUrl: string | null
  whatsNew: string | null
  heartbeatInterval: number
  sessionTimeout: number
  sessionLimitMessage: Record<string, string>
  requireVersion: boolean
}

export function noticeOf(config: GateConfig, required: boolean): UpdateNotice {
  return {
    current_version: config.currentVersion,
    minimum_version: config.minimumVersion,
    download_url: config.downloadUrl,
    whats_new: config.whatsNew,
    required,
  }
}

/**
 * The notice for a client at `version` (canonical, or null when the client
 * did not say), or null when it is up to date. Below the minimum the notice
 * is `required`: the client is refused. A client without a version passes
 * unless the product requires one.
 */
export function updateFor(config: GateConfig, version: string | null): UpdateNotice | null {
  if (version === null) return config.requireVersion ? noticeOf(config, true) : null
  const required = compareVersions(version, config.minimumVersion) < 0
  const behind = compareVersions(version, config.currentVersion) < 0
  return required || behind ? noticeOf(config, required) : null
}

/** `GET /api/version/latest`. */
export function latestRelease(config: GateConfig) {
  return {
    current_version: config.currentVersion,
    minimum_version: config.minimumVersion,
    download_url: config.downloadUrl,
    whats_new: config.whatsNew,
  }
}

/** `POST /api/version/check` for a canonical version. */
export function versionCheck(config: GateConfig, version: string) {
  return {
    ...latestRelease(config),
    update_available: compareVersions(version, config.currentVersion) < 0,
    supported: compareVersions(version, config.minimumVersion) >= 0,
  }
}

export async function loadGateConfig(
  productId: number,
  client: QueryClientContract = db.connection()
): Promise<GateConfig | null> {
  const row = await client
    .from('version_gate_configs')
    .where('product_id', productId)
    .select([...CONFIG_FIELDS])
    .first()
  return row ? gateConfigOf(row) : null
}

/** The gate's view of a `version_gate_configs` row. */
export function gateConfigOf(row: Record<string, any>): GateConfig {
  return {
    currentVersion: row.current_version,
    minimumVersion: row.minimum_version,
    downloadUrl: row.download_url,
    whatsNew: row.whats_new,
    heartbeatInterval: row.heartbeat_interval,
    sessionTimeout: row.session_timeout,
    sessionLimitMessage: row.session_limit_message ?? {},
    requireVersion: row.require_version,
  }
}

/**
 * The version gate, registered with the core's ClientConfigRegistry while
 * the plugin is enabled. `start` and `verify` read the configuration fresh;
 * heartbeats read it through a short per-process cache, so a change reaches
 * running clients' heartbeats within `cacheMs` on every server process.
 */
export default class VersionGate implements ClientConfigProvider {
  readonly #cache = new Map<number, { config: GateConfig | null; until: number }>()

  constructor(
    readonly cacheMs: number,
    protected now: () => number = Date.now
  ) {}

  async termsFor(query: ClientQuery, client?: QueryClientContract): Promise<ClientTerms> {
    const config = await loadGateConfig(query.productId, client)
    if (!config) return {}
    let version: string | null = null
    if (query.version !== null) {
      version = normalizeVersion(query.version)
      if (version === null) throw ApiError.invalidField('version', 'semver')
    }
    const update = updateFor(config, version)
    return {
      timing: { heartbeatInterval: config.heartbeatInterval, timeout: config.sessionTimeout },
      sessionLimitMessage: config.sessionLimitMessage,
      ...(update ? { update } : {}),
    }
  }

  async heartbeatUpdate(query: ClientQuery): Promise<UpdateNotice | null> {
    const version = query.version === null ? null : normalizeVersion(query.version)
    // A session started with an unreadable version (while the gate was
    // off) gets no notice rather than an error on every beat.
    if (version === null) return null
    const config = await this.cached(query.productId)
    return config ? updateFor(config, version) : null
  }

  /**
   * The configuration a client of the version API asks about: by product
   * slug, or, when it names none, the only product with a configuration (a
   * server with several needs `product`). Read fresh.
   *
   * @throws ApiError `PRODUCT_NOT_FOUND`, or `VALIDATION_ERROR` on `product`
   */
  async configFor(productSlug: string | undefined): Promise<GateConfig> {
    const query = db
      .from('version_gate_configs as c')
      .join('products as p', 'p.id', 'c.product_id')
      .select(CONFIG_FIELDS.map((field) => `c.${field}`))
    if (productSlug) {
      const row = await query.where('p.slug', productSlug).first()
      if (!row) throw new ApiError('PRODUCT_NOT_FOUND')
      return gateConfigOf(row)
    }
    const rows = await query.orderBy('c.product_id').limit(2)
    if (rows.length === 0) throw new ApiError('PRODUCT_NOT_FOUND')
    if (rows.length > 1) throw ApiError.invalidField('product', 'required')
    return gateConfigOf(rows[0])
  }

  /** Drops a product's cached configuration after this process changed it. */
  forget(productId: number) {
    this.#cache.delete(productId)
  }

  protected async cached(productId: number) {
    const entry = this.#cache.get(productId)
    if (entry && entry.until > this.now()) return entry.config
    const config = await loadGateConfig(productId)
    this.#cache.set(productId, { config, until: this.now() + this.cacheMs })
    return config
  }
}
