import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import Product from '#models/product'
import AuditTrail from '#services/audit_trail'
import { DomainError } from '#exceptions/domain_error'
import type { Actor } from '#support/actor'

export type ProductInput = {
  name: string
  description?: string | null
  /** Null: the server's default grace; 0: no offline use. */
  offlineGraceSeconds?: number | null
} & Partial<ProductTerms>

/** How long an expired license and a silent session keep going; how often a device may move. */
export type ProductTerms = Pick<
  Product,
  | 'expiryGraceDays'
  | 'reclaimGraceSeconds'
  | 'transferCooldownSeconds'
  | 'transferQuota'
  | 'transferQuotaPeriodDays'
>

/** The terms given, the columns' defaults for the others. */
const termsOf = (input: Partial<ProductTerms>): ProductTerms => ({
  expiryGraceDays: input.expiryGraceDays ?? 0,
  reclaimGraceSeconds: input.reclaimGraceSeconds ?? null,
  transferCooldownSeconds: input.transferCooldownSeconds ?? 0,
  transferQuota: input.transferQuota ?? null,
  transferQuotaPeriodDays: input.transferQuotaPeriodDays ?? 30,
})

const view = (product: Product) => ({
  name: product.name,
  description: product.description,
  offline_grace_seconds: product.offlineGraceSeconds,
  expiry_grace_days: product.expiryGraceDays,
  reclaim_grace_seconds: product.reclaimGraceSeconds,
  transfer_cooldown_seconds: product.transferCooldownSeconds,
  transfer_quota: product.transferQuota,
  transfer_quota_period_days: product.transferQuotaPeriodDays,
})

const isSlugTaken = (error: unknown) =>
  (error as { constraint?: string })?.constraint === 'products_slug_unique'

/** A slug from a product name: lowercase letters, digits and dashes. */
export function slugFor(name: string) {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '')
  return slug || 'product'
}

/**
 * Products and their settings, each change with its audit row. The slug is
 * fixed once created: clients name the product by it, and leases state it.
 */
@inject()
export default class ProductService {
  constructor(protected audit: AuditTrail) {}

  /** The product by id. @throws E_ROW_NOT_FOUND (a 404 page) when there is none. */
  find(id: number | string) {
    return Product.findOrFail(id)
  }

  /** Refused with the `DomainError` `slug_taken` (on `slug`) when another product has the slug. */
  async create(input: ProductInput & { slug: string }, actor: Actor) {
    try {
      return await db.transaction(async (trx) => {
        const product = await Product.create(
          {
            name: input.name,
            slug: input.slug,
            description: input.description ?? null,
            offlineGraceSeconds: input.offlineGraceSeconds ?? null,
            ...termsOf(input),
          },
          { client: trx }
        )
        await this.audit.record(trx, actor, {
          action: 'product.created',
          subjectType: 'product',
          subjectId: product.id,
          after: { slug: product.slug, ...view(product) },
        })
        return product
      })
    } catch (error) {
      if (isSlugTaken(error)) {
        throw new DomainError('slug_taken', { field: 'slug', messageKey: 'products.slug_taken' })
      }
      throw error
    }
  }

  async update(product: Product, input: ProductInput, actor: Actor) {
    return db.transaction(async (trx) => {
      const before = view(product)
      product.useTransaction(trx)
      product.merge({
        name: input.name,
        description: input.description ?? null,
        offlineGraceSeconds: input.offlineGraceSeconds ?? null,
        ...termsOf(input),
      })
      if (!product.$isDirty) return product
      await product.save()
      await this.audit.record(trx, actor, {
        action: 'product.updated',
        subjectType: 'product',
        subjectId: product.id,
        before,
        after: view(product),
      })
      return product
    })
  }
}
