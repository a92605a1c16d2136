import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import Entitlement from '#models/entitlement'
import type Product from '#models/product'
import AuditTrail from '#services/audit_trail'
import { lockAndCountHolders } from '#services/catalogue/catalogue_holders'
import { catalogueRefusal, constraintOf } from '#services/catalogue/catalogue_refusals'
import type { Actor } from '#support/actor'

export type EntitlementInput = {
  name: string
  description?: string | null
}

const view = (entitlement: Entitlement) => ({
  product_id: entitlement.productId,
  code: entitlement.code,
  name: entitlement.name,
  description: entitlement.description,
})

/**
 * A product's entitlements (feature flags), each change with its audit row.
 * The code is fixed once created: clients ask for it by name. An
 * entitlement that a template or a license holds is not deleted: its
 * licenses would silently lose a feature they were sold.
 */
@inject()
export default class EntitlementCatalogue {
  constructor(protected audit: AuditTrail) {}

  /**
   * The product's entitlements by code, each with how many templates carry
   * it and how many licenses grant or withdraw it on their own
   * (`$extras.templates_count`, `$extras.licenses_count`).
   */
  async of(productId: number) {
    return Entitlement.query()
      .where('product_id', productId)
      .select('entitlements.*')
      .select(
        db.raw(
          '(SELECT count(*) FROM license_template_entitlements t WHERE t.entitlement_id = entitlements.id)::int AS templates_count'
        ),
        db.raw(
          '(SELECT count(*) FROM license_entitlements l WHERE l.entitlement_id = entitlements.id)::int AS licenses_count'
        )
      )
      .orderBy('code')
  }

  /** The product's entitlement. @throws E_ROW_NOT_FOUND (a 404 page) when it has none by that id. */
  find(product: Product, id: number | string) {
    return Entitlement.query().where({ productId: product.id, id }).firstOrFail()
  }

  /** Refused with `code_taken` (on `code`) when the product has the code already. */
  async create(product: Product, input: EntitlementInput & { code: string }, actor: Actor) {
    try {
      return await db.transaction(async (trx) => {
        const entitlement = await Entitlement.create(
          {
            productId: product.id,
            code: input.code,
            name: input.name,
            description: input.description ?? null,
          },
          { client: trx }
        )
        await this.audit.record(trx, actor, {
          action: 'entitlement.created',
          subjectType: 'entitlement',
          subjectId: entitlement.id,
          after: view(entitlement),
        })
        return entitlement
      })
    } catch (error) {
      if (constraintOf(error) === 'entitlements_product_id_code_unique') {
        throw catalogueRefusal('code_taken', {
          field: 'code',
          data: { code: input.code },
          message: `The product has an entitlement "${input.code}" already`,
        })
      }
      throw error
    }
  }

  async update(entitlement: Entitlement, input: EntitlementInput, actor: Actor) {
    return db.transaction(async (trx) => {
      // Read again under its lock: two edits queue, and `before` is what was stored.
      const locked = await Entitlement.query({ client: trx })
        .where('id', entitlement.id)
        .forUpdate()
        .firstOrFail()
      const before = view(locked)
      locked.merge({ name: input.name, description: input.description ?? null })
      if (!locked.$isDirty) return locked
      await locked.save()
      await this.audit.record(trx, actor, {
        action: 'entitlement.updated',
        subjectType: 'entitlement',
        subjectId: locked.id,
        before,
        after: view(locked),
      })
      return locked
    })
  }

  /**
   * Deletes an entitlement nothing holds. Refused with `entitlement_in_use`
   * otherwise, counted under the row's lock (lockAndCountHolders).
   */
  async delete(entitlement: Entitlement, actor: Actor) {
    await db.transaction(async (trx) => {
      const held = await lockAndCountHolders(trx, 'entitlements', entitlement.id)
      if (held.templates + held.licenses > 0) {
        throw catalogueRefusal('entitlement_in_use', {
          data: { code: entitlement.code, ...held },
          message: `"${entitlement.code}" is held by ${held.templates} templates and ${held.licenses} licenses`,
        })
      }
      await trx.from('entitlements').where('id', entitlement.id).delete()
      await this.audit.record(trx, actor, {
        action: 'entitlement.deleted',
        subjectType: 'entitlement',
        subjectId: entitlement.id,
        before: view(entitlement),
      })
    })
  }
}
