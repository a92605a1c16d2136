import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import MeterCatalogue from '#services/catalogue/meter_catalogue'
import ProductService from '#services/product_service'
import { adminActor } from '#support/actor'
import { redirectWithRefusal } from '#support/panel_refusals'
import { meterCreateValidator, meterInputOf, meterUpdateValidator } from '#validators/catalogue'

/** A product's meters: create, edit, delete one nothing depends on. */
@inject()
export default class CatalogueMetersController {
  constructor(
    protected products: ProductService,
    protected meters: MeterCatalogue
  ) {}

  async create({ view, params }: HttpContext) {
    const product = await this.products.find(params.id)
    return view.render('pages/catalogue/meter_form', { product, meter: null })
  }

  async store(ctx: HttpContext) {
    const product = await this.products.find(ctx.params.id)
    const input = await ctx.request.validateUsing(meterCreateValidator)
    try {
      const meter = await this.meters.create(
        product,
        { code: input.code, ...meterInputOf(input) },
        adminActor(ctx)
      )
      ctx.session.flash('success', ctx.i18n.t('catalogue.meter_created', { code: meter.code }))
      return ctx.response.redirect().toRoute('admin.catalogue.show', [product.id])
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.catalogue_meters.create', [product.id]))
    }
  }

  async edit({ view, params }: HttpContext) {
    const product = await this.products.find(params.id)
    const meter = await this.meters.find(product, params.meter)
    return view.render('pages/catalogue/meter_form', { product, meter })
  }

  async update(ctx: HttpContext) {
    const product = await this.products.find(ctx.params.id)
    const meter = await this.meters.find(product, ctx.params.meter)
    const input = await ctx.request.validateUsing(meterUpdateValidator)
    try {
      await this.meters.update(meter, meterInputOf(input), adminActor(ctx))
    } catch (error) {
      return redirectWithRefusal(
        ctx,
        error,
        urlFor('admin.catalogue_meters.edit', [product.id, meter.id])
      )
    }
    ctx.session.flash('success', ctx.i18n.t('catalogue.meter_saved', { code: meter.code }))
    return ctx.response.redirect().toRoute('admin.catalogue.show', [product.id])
  }

  async destroy(ctx: HttpContext) {
    const product = await this.products.find(ctx.params.id)
    const meter = await this.meters.find(product, ctx.params.meter)
    try {
      await this.meters.delete(meter, adminActor(ctx))
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.catalogue.show', [product.id]))
    }
    ctx.session.flash('success', ctx.i18n.t('catalogue.meter_deleted', { code: meter.code }))
    return ctx.response.redirect().toRoute('admin.catalogue.show', [product.id])
  }
}
