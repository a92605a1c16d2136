import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import EntitlementCatalogue from '#services/catalogue/entitlement_catalogue'
import ProductService from '#services/product_service'
import { adminActor } from '#support/actor'
import { redirectWithRefusal } from '#support/panel_refusals'
import { entitlementCreateValidator, entitlementUpdateValidator } from '#validators/catalogue'

/** A product's entitlements: create, rename, delete one nothing holds. */
@inject()
export default class CatalogueEntitlementsController {
  constructor(
    protected products: ProductService,
    protected entitlements: EntitlementCatalogue
  ) {}

  async create({ view, params }: HttpContext) {
    const product = await this.products.find(params.id)
    return view.render('pages/catalogue/entitlement_form', { product, entitlement: null })
  }

  async store(ctx: HttpContext) {
    const product = await this.products.find(ctx.params.id)
    const input = await ctx.request.validateUsing(entitlementCreateValidator)
    try {
      const entitlement = await this.entitlements.create(product, input, adminActor(ctx))
      ctx.session.flash(
        'success',
        ctx.i18n.t('catalogue.entitlement_created', { code: entitlement.code })
      )
      return ctx.response.redirect().toRoute('admin.catalogue.show', [product.id])
    } catch (error) {
      return redirectWithRefusal(
        ctx,
        error,
        urlFor('admin.catalogue_entitlements.create', [product.id])
      )
    }
  }

  async edit({ view, params }: HttpContext) {
    const product = await this.products.find(params.id)
    const entitlement = await this.entitlements.find(product, params.entitlement)
    return view.render('pages/catalogue/entitlement_form', { product, entitlement })
  }

  async update(ctx: HttpContext) {
    const product = await this.products.find(ctx.params.id)
    const entitlement = await this.entitlements.find(product, ctx.params.entitlement)
    const input = await ctx.request.validateUsing(entitlementUpdateValidator)
    await this.entitlements.update(entitlement, input, adminActor(ctx))
    ctx.session.flash(
      'success',
      ctx.i18n.t('catalogue.entitlement_saved', { code: entitlement.code })
    )
    return ctx.response.redirect().toRoute('admin.catalogue.show', [product.id])
  }

  async destroy(ctx: HttpContext) {
    const product = await this.products.find(ctx.params.id)
    const entitlement = await this.entitlements.find(product, ctx.params.entitlement)
    try {
      await this.entitlements.delete(entitlement, adminActor(ctx))
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.catalogue.show', [product.id]))
    }
    ctx.session.flash(
      'success',
      ctx.i18n.t('catalogue.entitlement_deleted', { code: entitlement.code })
    )
    return ctx.response.redirect().toRoute('admin.catalogue.show', [product.id])
  }
}
