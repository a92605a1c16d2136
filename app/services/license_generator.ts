import { randomUUID } from 'node:crypto'
import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import AuditTrail from '#services/audit_trail'
import { Clock } from '#support/clock'
import type { Actor } from '#support/actor'
import { announceAfterCommit, eventActorOf, eventLicenseOf } from '#support/domain_events'
import { generateLicenseKey } from '#support/license_keys'
import { expiryFor, parseLicenseType } from '#support/license_duration'
import { DomainError } from '#exceptions/domain_error'
import type { ExpiryBasis } from '#models/license'
import LicenseTemplate from '#models/license_template'
import { issueTermsOf } from '#services/catalogue/license_templates'

export type BatchRequest = {
  /** Null only with a template: the template's product. */
  productId: number | null
  /**
   * A template of the product: the licenses follow it, and its type,
   * expiry basis, limits and policy replace the request's.
   */
  templateId?: number | null
  type: string
  count: number
  customerId?: number | null
  maxDevices?: number
  maxSessions?: number
  sessionPolicy?: string | null
  features?: Record<string, unknown>
  notes?: string | null
  /**
   * Defaults to `first_activation` for timed types (the single-use kind of
   * API.md) and is irrelevant for `perpetual`.
   */
  expiryBasis?: ExpiryBasis
  batchId?: string
}

/**
 * Rows per INSERT: large enough that 5,000 keys take a handful of round
 * trips, small enough to stay far below PostgreSQL's parameter limit.
 */
const CHUNK_SIZE = 1000

/**
 * The request with its template's terms, the template read `FOR SHARE`: a
 * template update waits until the batch is committed (and then carries its
 * new settings to it), so no batch lands with settings the template no
 * longer has. Refused with `unknown_template` or `template_other_product`
 * (on `template_id`).
 */
export async function withTemplateTerms(
  trx: TransactionClientContract,
  request: BatchRequest
): Promise<BatchRequest & { productId: number }> {
  if (!request.templateId) {
    if (request.productId === null) throw new RangeError('A batch needs a product or a template')
    return { ...request, productId: request.productId }
  }
  const template = await LicenseTemplate.query({ client: trx })
    .where('id', request.templateId)
    .forShare()
    .first()
  const refusal = (reason: string) =>
    new DomainError(reason, { field: 'template_id', messageKey: `licenses.errors.${reason}` })
  if (!template) throw refusal('unknown_template')
  if (request.productId !== null && request.productId !== template.productId) {
    throw refusal('template_other_product')
  }
  return { ...request, ...issueTermsOf(template) }
}

/**
 * Issues licenses in bulk. Keys come from a CSPRNG; a key that already exists
 * (a collision, about 2^-80 per pair) is skipped by the database and drawn
 * again, so a batch always has exactly `count` new keys.
 */
@inject()
export default class LicenseGenerator {
  constructor(
    protected clock: Clock,
    protected audit: AuditTrail
  ) {}

  async generate(
    request: BatchRequest,
    actor: Actor,
    onProgress?: (created: number, total: number) => void,
    outerTransaction?: TransactionClientContract
  ) {
    if (!Number.isInteger(request.count) || request.count < 1) {
      throw new RangeError(`A batch needs a whole, positive count, not ${request.count}`)
    }
    const insertBatch = async (trx: TransactionClientContract) => {
      const terms = await withTemplateTerms(trx, request)
      return this.insert(trx, terms, actor, onProgress)
    }
    /**
     * Inside a caller's transaction (several types that must land together)
     * or in one of its own.
     */
    return outerTransaction ? insertBatch(outerTransaction) : db.transaction(insertBatch)
  }

  protected async insert(
    trx: TransactionClientContract,
    request: BatchRequest & { productId: number },
    actor: Actor,
    onProgress?: (created: number, total: number) => void
  ) {
    parseLicenseType(request.type)
    const now = this.clock.now()
    const batchId = request.batchId ?? randomUUID()
    const expiryBasis: ExpiryBasis =
      request.type === 'perpetual' ? 'creation' : (request.expiryBasis ?? 'first_activation')
    const expiresAt = expiryBasis === 'creation' ? expiryFor(request.type, now) : null
    const maxDevices = request.maxDevices ?? 1
    /** What every license of the batch has; only its key differs. */
    const shared = {
      product_id: request.productId,
      template_id: request.templateId ?? null,
      customer_id: request.customerId ?? null,
      type: request.type,
      expiry_basis: expiryBasis,
      status: 'active',
      max_devices: maxDevices,
      max_sessions: request.maxSessions ?? 1,
      session_policy: request.sessionPolicy ?? null,
      features: JSON.stringify(request.features ?? {}),
      batch_id: batchId,
      notes: request.notes ?? null,
      expires_at: expiresAt?.toJSDate() ?? null,
      created_at: now.toJSDate(),
      updated_at: now.toJSDate(),
    }

    const keys: string[] = []
    const ids: number[] = []
    while (keys.length < request.count) {
      const wanted = Math.min(CHUNK_SIZE, request.count - keys.length)
      const rows = Array.from({ length: wanted }, () => ({
        ...shared,
        key: generateLicenseKey(),
      }))
      const inserted: { id: number; key: string }[] = await trx
        .insertQuery()
        .table('licenses')
        .knexQuery.insert(rows)
        .onConflict('key')
        .ignore()
        .returning(['id', 'key'])
      keys.push(...inserted.map((row) => row.key))
      ids.push(...inserted.map((row) => Number(row.id)))
      onProgress?.(keys.length, request.count)
    }
    await this.audit.record(trx, actor, {
      action: 'license.batch_created',
      subjectType: 'license_batch',
      subjectId: batchId,
      after: {
        product_id: request.productId,
        type: request.type,
        count: keys.length,
        max_devices: maxDevices,
        max_sessions: shared.max_sessions,
        expiry_basis: expiryBasis,
        ...(request.templateId ? { template_id: request.templateId } : {}),
      },
    })
    announceAfterCommit(trx, 'license:created', () => ({
      licenses: keys.map((key, index) =>
        eventLicenseOf({
          id: ids[index],
          key,
          productId: request.productId,
          customerId: request.customerId ?? null,
        })
      ),
      batchId,
      actor: eventActorOf(actor),
    }))
    return { batchId, keys }
  }
}
