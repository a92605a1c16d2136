import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import ProductList from '#services/product_list'
import ProductService from '#services/product_service'
import { LeaseService } from '#services/lease_service'
import { globalSessionTiming } from '#services/session_service'
import { adminActor } from '#support/actor'
import { redirectWithRefusal } from '#support/panel_refusals'
import {
  graceSecondsOf,
  productCreateValidator,
  productTermsOf,
  productUpdateValidator,
} from '#validators/panel_products'

type Translate = HttpContext['i18n']['t']

/**
 * "7 days", "12 hours", "off", or "default (7 days)" for a product's offline
 * grace; `defaultSeconds` is the grace of products without their own.
 */
function graceLabel(seconds: number | null, defaultSeconds: number, t: Translate): string {
  if (seconds === null) {
    return t('products.grace_default', { value: graceLabel(defaultSeconds, defaultSeconds, t) })
  }
  if (seconds === 0) return t('products.grace_off')
  if (seconds % 86400 === 0) return t('products.days', { count: seconds / 86400 })
  return t('products.hours', { count: Math.round((seconds / 3600) * 100) / 100 })
}

/**
 * Products: what licenses are for. Each may grant its own offline grace,
 * expiry and reclaim grace, and set how often a device may move.
 */
@inject()
export default class ProductsController {
  constructor(
    protected products: ProductService,
    protected lists: ProductList,
    protected leases: LeaseService
  ) {}

  async index({ view, request, i18n }: HttpContext) {
    const { list, page } = await this.lists.page(request)
    const t: Translate = (key, data) => i18n.t(key, data)
    return view.render('pages/products/index', {
      list,
      page,
      grace: Object.fromEntries(
        page.rows.map((product) => [
          product.id,
          graceLabel(product.offlineGraceSeconds, this.defaultGraceSeconds(), t),
        ])
      ),
    })
  }

  async create({ view, i18n }: HttpContext) {
    return view.render('pages/products/form', {
      product: null,
      defaultGrace: this.defaultGrace(i18n),
      sessionTimeout: globalSessionTiming().timeout,
    })
  }

  protected defaultGraceSeconds() {
    return this.leases.graceFor({ offlineGraceSeconds: null })
  }

  protected defaultGrace(i18n: HttpContext['i18n']) {
    const seconds = this.defaultGraceSeconds()
    return graceLabel(seconds, seconds, (key, data) => i18n.t(key, data))
  }

  async store(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(productCreateValidator)
    try {
      const product = await this.products.create(
        {
          ...input,
          offlineGraceSeconds: graceSecondsOf(input.offline_grace_days),
          ...productTermsOf(input),
        },
        adminActor(ctx)
      )
      ctx.session.flash('success', ctx.i18n.t('products.created', { name: product.name }))
      return ctx.response.redirect().toRoute('admin.products.index')
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.products.create'))
    }
  }

  async edit({ view, params, i18n }: HttpContext) {
    const product = await this.products.find(params.id)
    return view.render('pages/products/form', {
      product,
      defaultGrace: this.defaultGrace(i18n),
      sessionTimeout: globalSessionTiming().timeout,
    })
  }

  async update(ctx: HttpContext) {
    const product = await this.products.find(ctx.params.id)
    const input = await ctx.request.validateUsing(productUpdateValidator)
    await this.products.update(
      product,
      {
        ...input,
        offlineGraceSeconds: graceSecondsOf(input.offline_grace_days),
        ...productTermsOf(input),
      },
      adminActor(ctx)
    )
    ctx.session.flash('success', ctx.i18n.t('products.updated'))
    return ctx.response.redirect().toRoute('admin.products.index')
  }
}
