import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { AuditTrail, DomainError, globalSessionTiming, type Actor } from '#plugin_host/api'
import ClientConfig from './models/client_config.js'
import { compareVersions, normalizeVersion } from './versions.js'

/**
 * A client configuration as the panel edits it and the history records it
 * (column names; versions already canonical).
 */
export interface ClientConfigFields {
  client_name: string
  current_version: string
  minimum_version: string
  download_url: string | null
  whats_new: string | null
  heartbeat_interval: number
  session_timeout: number
  session_limit_message: Record<string, string>
  require_version: boolean
}

export const CONFIG_FIELDS = [
  'client_name',
  'current_version',
  'minimum_version',
  'download_url',
  'whats_new',
  'heartbeat_interval',
  'session_timeout',
  'session_limit_message',
  'require_version',
] as const satisfies readonly (keyof ClientConfigFields)[]

/** Why the rules refuse a save (a DomainError's `code`). */
export type ClientConfigRefusal =
  'invalid_version' | 'minimum_above_current' | 'already_configured' | 'unknown_product'

/**
 * A save the rules refuse, named by the field to mark in the form; the
 * message is `version_gate.errors.<reason>`.
 */
function refusal(field: keyof ClientConfigFields | 'product_id', reason: ClientConfigRefusal) {
  return new DomainError(reason, { field, messageKey: `version_gate.errors.${reason}` })
}

const UNIQUE_VIOLATION = '23505'
const FOREIGN_KEY_VIOLATION = '23503'

/** Field values compare by content; jsonb hands objects back with its own key order. */
function sameValue(a: unknown, b: unknown) {
  const canonical = (value: unknown) =>
    value !== null && typeof value === 'object'
      ? JSON.stringify(Object.entries(value).sort(([x], [y]) => x.localeCompare(y)))
      : JSON.stringify(value ?? null)
  return canonical(a) === canonical(b)
}

/** The configuration fields of a `version_gate_configs` row. */
export function fieldsOf(row: Record<string, any>): ClientConfigFields {
  return Object.fromEntries(CONFIG_FIELDS.map((field) => [field, row[field]])) as any
}

/** A release as `version:publish` announces it; absent parts stay as they are. */
export interface Release {
  version: string
  minimum?: string
  downloadUrl?: string
  whatsNew?: string
}

/** What publishing a release did. */
export type PublishOutcome =
  { status: 'unknown_product' } | { status: 'unchanged' | 'published'; fields: ClientConfigFields }

/**
 * Creates and changes client configurations. Every save writes a revision
 * (the whole configuration, the fields it changed, who saved it) and an
 * audit row in the same transaction.
 */
@inject()
export default class ClientConfigService {
  constructor(protected audit: AuditTrail) {}

  /** A new product's configuration before anyone edited it. */
  defaultsFor(product: { name: string }): ClientConfigFields {
    const { heartbeatInterval, timeout } = globalSessionTiming()
    return {
      client_name: product.name.slice(0, 120),
      current_version: '1.0.0',
      minimum_version: '1.0.0',
      download_url: null,
      whats_new: null,
      heartbeat_interval: heartbeatInterval,
      session_timeout: timeout,
      session_limit_message: {},
      require_version: false,
    }
  }

  /**
   * The fields with canonical versions, checked against the rules the
   * database cannot state (semantic versions, minimum ≤ current).
   *
   * @throws DomainError `invalid_version`, `minimum_above_current`
   */
  checked(fields: ClientConfigFields): ClientConfigFields {
    const current = normalizeVersion(fields.current_version)
    if (!current) throw refusal('current_version', 'invalid_version')
    const minimum = normalizeVersion(fields.minimum_version)
    if (!minimum) throw refusal('minimum_version', 'invalid_version')
    if (compareVersions(minimum, current) > 0) {
      throw refusal('minimum_version', 'minimum_above_current')
    }
    return { ...fields, current_version: current, minimum_version: minimum }
  }

  /**
   * @throws DomainError `invalid_version`, `minimum_above_current`,
   * `already_configured`, `unknown_product`
   */
  async create(productId: number, input: ClientConfigFields, actor: Actor) {
    const fields = this.checked(input)
    return db.transaction(async (trx) => {
      let row: { id: number }
      try {
        ;[row] = await trx
          .table('version_gate_configs')
          .insert({ product_id: productId, ...this.columns(fields), revision: 1 })
          .returning(['id'])
      } catch (error) {
        const code = (error as { code?: string }).code
        if (code === UNIQUE_VIOLATION) throw refusal('product_id', 'already_configured')
        if (code === FOREIGN_KEY_VIOLATION) throw refusal('product_id', 'unknown_product')
        throw error
      }
      await this.recordRevision(trx, row.id, 1, fields, [...CONFIG_FIELDS], actor)
      await this.audit.record(trx, actor, {
        action: 'client_config.created',
        subjectType: 'client_config',
        subjectId: row.id,
        after: { product_id: productId, ...fields },
      })
      return { id: row.id }
    })
  }

  /**
   * Saves a configuration. A save that changes nothing writes nothing.
   *
   * @returns the fields that changed (none: nothing written), or null when
   * there is no such configuration.
   * @throws DomainError `invalid_version`, `minimum_above_current`
   */
  async update(id: number, input: ClientConfigFields, actor: Actor) {
    const fields = this.checked(input)
    return db.transaction(async (trx) => {
      const current = await trx.from('version_gate_configs').where('id', id).forUpdate().first()
      if (!current) return null
      const before = fieldsOf(current)
      const changed = CONFIG_FIELDS.filter((field) => !sameValue(before[field], fields[field]))
      if (changed.length === 0) return changed

      const revision = current.revision + 1
      await trx
        .from('version_gate_configs')
        .where('id', id)
        .update({ ...this.columns(fields), revision, updated_at: new Date() })
      await this.recordRevision(trx, id, revision, fields, changed, actor)
      await this.audit.record(trx, actor, {
        action: 'client_config.updated',
        subjectType: 'client_config',
        subjectId: id,
        before: Object.fromEntries(changed.map((field) => [field, before[field]])),
        after: Object.fromEntries(changed.map((field) => [field, fields[field]])),
      })
      return changed
    })
  }

  /**
   * Publishes a release of the product with that slug (`version:publish`):
   * its configuration with the release's parts changed, or, for a product
   * without one, the defaults with them.
   *
   * @throws DomainError as `create` and `update`
   */
  async publish(productSlug: string, release: Release, actor: Actor): Promise<PublishOutcome> {
    const product = await db.from('products').where('slug', productSlug).first()
    if (!product) return { status: 'unknown_product' }
    const existing = await db.from('version_gate_configs').where('product_id', product.id).first()
    const before = existing ? fieldsOf(existing) : this.defaultsFor(product)
    const fields: ClientConfigFields = {
      ...before,
      current_version: release.version,
      ...(release.minimum ? { minimum_version: release.minimum } : {}),
      ...(release.downloadUrl ? { download_url: release.downloadUrl } : {}),
      ...(release.whatsNew !== undefined ? { whats_new: release.whatsNew.trim() || null } : {}),
    }
    if (existing) {
      const changed = await this.update(existing.id, fields, actor)
      if (!changed?.length) return { status: 'unchanged', fields }
    } else {
      await this.create(product.id, fields, actor)
    }
    return { status: 'published', fields }
  }

  /**
   * Gives every product without a configuration the default one (the
   * seeder, so the Quick start's product is gated from the first run).
   */
  async ensureForAllProducts(actor: Actor) {
    const created: number[] = []
    for (const product of await this.unconfiguredProducts()) {
      try {
        await this.create(product.id, this.defaultsFor(product), actor)
        created.push(product.id)
      } catch (error) {
        // Another process configured it meanwhile: that is what we wanted.
        if (!DomainError.is(error)) throw error
      }
    }
    return created
  }

  /** Products that have no client configuration yet, by name. */
  async unconfiguredProducts(): Promise<{ id: number; name: string; slug: string }[]> {
    return db
      .from('products as p')
      .whereNotExists((query) =>
        query.from('version_gate_configs as c').whereRaw('c.product_id = p.id').select(db.raw('1'))
      )
      .select('p.id', 'p.name', 'p.slug')
      .orderByRaw('lower(p.name), p.id')
  }

  /** A configuration with its product, for its page and its form. */
  async findWithProduct(id: number) {
    return ClientConfig.query().where('id', id).preload('product').firstOrFail()
  }

  async findOrFail(id: number) {
    return ClientConfig.findOrFail(id)
  }

  protected columns(fields: ClientConfigFields) {
    return {
      ...fields,
      session_limit_message: JSON.stringify(fields.session_limit_message),
    }
  }

  protected async recordRevision(
    trx: TransactionClientContract,
    configId: number,
    revision: number,
    fields: ClientConfigFields,
    changed: string[],
    actor: Actor
  ) {
    await trx.table('version_gate_config_revisions').insert({
      client_config_id: configId,
      revision,
      snapshot: JSON.stringify(fields),
      changed_fields: changed,
      actor_type: actor.type,
      actor_id: actor.id === undefined || actor.id === null ? null : String(actor.id),
      actor_label: actor.label ?? null,
    })
  }
}
