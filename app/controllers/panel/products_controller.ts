import type { HttpContext } from '@adonisjs/core/http'
import Product from '#models/product'
import ProductService, { ProductSlugTakenError } from '#services/product_service'
import { LeaseService } from '#services/lease_service'
import { adminActor } from '#support/actor'
import { likePattern, paginate, readListState } from '#support/panel_list'
import {
  graceSecondsOf,
  productCreateValidator,
  productUpdateValidator,
} from '#validators/panel_products'

type Translate = HttpContext['i18n']['t']

/** "7 days", "12 hours", "off", or "default (7 days)" for a product's offline grace. */
function graceLabel(seconds: number | null, t: Translate): string {
  if (seconds === null) {
    return t('products.grace_default', {
      value: graceLabel(LeaseService.graceFor({ offlineGraceSeconds: null }), t),
    })
  }
  if (seconds === 0) return t('products.grace_off')
  if (seconds % 86400 === 0) return t('products.days', { count: seconds / 86400 })
  return t('products.hours', { count: Math.round((seconds / 3600) * 100) / 100 })
}

/**
 * Products: what licenses are for. Each may grant its own offline grace.
 */
export default class ProductsController {
  async index({ view, request, i18n }: HttpContext) {
    const list = await readListState(request, {
      sortable: ['name', 'slug', 'licenses', 'created_at'] as const,
      defaultSort: 'name',
      defaultDir: 'asc',
      filters: {},
    })
    const query = Product.query()
      .withCount('licenses')
      .orderByRaw(`${list.sort === 'licenses' ? 'licenses_count' : list.sort} ${list.dir}`)
      .orderBy('id', 'asc')
    if (list.q) {
      const pattern = likePattern(list.q)
      query.where((where) => where.whereILike('name', pattern).orWhereILike('slug', pattern))
    }
    const page = await paginate(query, list)
    const t: Translate = (key, data) => i18n.t(key, data)
    return view.render('pages/products/index', {
      list,
      page,
      grace: Object.fromEntries(
        (page.rows as Product[]).map((product) => [
          product.id,
          graceLabel(product.offlineGraceSeconds, t),
        ])
      ),
    })
  }

  async create({ view, i18n }: HttpContext) {
    return view.render('pages/products/form', {
      product: null,
      defaultGrace: this.defaultGrace(i18n),
    })
  }

  protected defaultGrace(i18n: HttpContext['i18n']) {
    return graceLabel(LeaseService.graceFor({ offlineGraceSeconds: null }), (key, data) =>
      i18n.t(key, data)
    )
  }

  async store(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(productCreateValidator)
    try {
      const product = await ProductService.create(
        { ...input, offlineGraceSeconds: graceSecondsOf(input.offline_grace_days) },
        adminActor(ctx)
      )
      ctx.session.flash('success', ctx.i18n.t('products.created', { name: product.name }))
      return ctx.response.redirect('/admin/products')
    } catch (error) {
      if (!(error instanceof ProductSlugTakenError)) throw error
      ctx.session.flashAll()
      ctx.session.flashErrors({ slug: ctx.i18n.t('products.slug_taken') })
      return ctx.response.redirect('/admin/products/new')
    }
  }

  async edit({ view, params, i18n }: HttpContext) {
    const product = await Product.findOrFail(params.id)
    return view.render('pages/products/form', { product, defaultGrace: this.defaultGrace(i18n) })
  }

  async update(ctx: HttpContext) {
    const product = await Product.findOrFail(ctx.params.id)
    const input = await ctx.request.validateUsing(productUpdateValidator)
    await ProductService.update(
      product,
      { ...input, offlineGraceSeconds: graceSecondsOf(input.offline_grace_days) },
      adminActor(ctx)
    )
    ctx.session.flash('success', ctx.i18n.t('products.updated'))
    return ctx.response.redirect('/admin/products')
  }
}
