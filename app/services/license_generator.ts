import { randomUUID } from 'node:crypto'
import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import AuditTrail from '#services/audit_trail'
import { Clock } from '#support/clock'
import type { Actor } from '#support/actor'
import { generateLicenseKey } from '#support/license_keys'
import { expiryFor, parseLicenseType } from '#support/license_duration'
import type { ExpiryBasis } from '#models/license'

export type BatchRequest = {
  productId: number
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
    parseLicenseType(request.type)
    if (!Number.isInteger(request.count) || request.count < 1) {
      throw new RangeError(`A batch needs a whole, positive count, not ${request.count}`)
    }
    const now = this.clock.now()
    const batchId = request.batchId ?? randomUUID()
    const expiryBasis: ExpiryBasis =
      request.type === 'perpetual' ? 'creation' : (request.expiryBasis ?? 'first_activation')
    const expiresAt = expiryBasis === 'creation' ? expiryFor(request.type, now) : null
    const maxDevices = request.maxDevices ?? 1
    const template = {
      product_id: request.productId,
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
    const insertBatch = async (trx: TransactionClientContract) => {
      while (keys.length < request.count) {
        const wanted = Math.min(CHUNK_SIZE, request.count - keys.length)
        const rows = Array.from({ length: wanted }, () => ({
          ...template,
          key: generateLicenseKey(),
        }))
        const inserted: { key: string }[] = await trx
          .insertQuery()
          .table('licenses')
          .knexQuery.insert(rows)
          .onConflict('key')
          .ignore()
          .returning('key')
        keys.push(...inserted.map((row) => row.key))
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
          max_sessions: template.max_sessions,
          expiry_basis: expiryBasis,
        },
      })
    }
    /**
     * Inside a caller's transaction (several types that must land together)
     * or in one of its own.
     */
    await (outerTransaction ? insertBatch(outerTransaction) : db.transaction(insertBatch))
    return { batchId, keys }
  }
}
