import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { urlFor } from '@adonisjs/core/services/url_builder'
import type LicenseTemplate from '#models/license_template'
import type Product from '#models/product'
import EntitlementCatalogue from '#services/catalogue/entitlement_catalogue'
import LicenseTemplates from '#services/catalogue/license_templates'
import MeterCatalogue from '#services/catalogue/meter_catalogue'
import ProductService from '#services/product_service'
import { SessionPolicyRegistry } from '#services/session_policies'
import { adminActor } from '#support/actor'
import { redirectWithRefusal } from '#support/panel_refusals'
import { templateInputOf, templateValidator } from '#validators/catalogue'

/** A product's license templates: create, edit (carried to their licenses), delete unused ones. */
@inject()
export default class LicenseTemplatesController {
  constructor(
    protected products: ProductService,
    protected templates: LicenseTemplates,
    protected entitlements: EntitlementCatalogue,
    protected meters: MeterCatalogue,
    protected policies: SessionPolicyRegistry
  ) {}

  async create({ view, params }: HttpContext) {
    const product = await this.products.find(params.id)
    return view.render('pages/catalogue/template_form', await this.form(product, null))
  }

  async store(ctx: HttpContext) {
    const product = await this.products.find(ctx.params.id)
    const input = await ctx.request.validateUsing(templateValidator)
    try {
      const template = await this.templates.create(product, templateInputOf(input), adminActor(ctx))
      ctx.session.flash(
        'success',
        ctx.i18n.t('catalogue.template_created', { name: template.name })
      )
      return ctx.response.redirect().toRoute('admin.catalogue.show', [product.id])
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.license_templates.create', [product.id]))
    }
  }

  async edit({ view, params }: HttpContext) {
    const product = await this.products.find(params.id)
    const template = await this.templates.find(product, params.template)
    return view.render('pages/catalogue/template_form', await this.form(product, template))
  }

  async update(ctx: HttpContext) {
    const product = await this.products.find(ctx.params.id)
    const template = await this.templates.find(product, ctx.params.template)
    const input = await ctx.request.validateUsing(templateValidator)
    let result
    try {
      result = await this.templates.update(template, templateInputOf(input), adminActor(ctx))
    } catch (error) {
      return redirectWithRefusal(
        ctx,
        error,
        urlFor('admin.license_templates.edit', [product.id, template.id])
      )
    }
    ctx.session.flash(
      'success',
      ctx.i18n.t('catalogue.template_saved', {
        name: result.template.name,
        licenses: result.licensesUpdated,
      })
    )
    return ctx.response.redirect().toRoute('admin.catalogue.show', [product.id])
  }

  async destroy(ctx: HttpContext) {
    const product = await this.products.find(ctx.params.id)
    const template = await this.templates.find(product, ctx.params.template)
    try {
      await this.templates.delete(template, adminActor(ctx))
    } catch (error) {
      return redirectWithRefusal(ctx, error, urlFor('admin.catalogue.show', [product.id]))
    }
    ctx.session.flash('success', ctx.i18n.t('catalogue.template_deleted', { name: template.name }))
    return ctx.response.redirect().toRoute('admin.catalogue.show', [product.id])
  }

  /**
   * What the form offers: the product's entitlements (checked: the
   * template's), its meters with the template's limit of each, the policies.
   */
  protected async form(product: Product, template: LicenseTemplate | null) {
    const [entitlements, meters] = await Promise.all([
      this.entitlements.of(product.id),
      this.meters.of(product.id),
    ])
    const held = new Set(template?.entitlements.map((entitlement) => entitlement.id) ?? [])
    const limits = new Map(
      (template?.meters ?? []).map((meter) => [meter.id, meter.$extras.pivot_limit ?? null])
    )
    const names = this.policies.names()
    const current = template?.sessionPolicy
    return {
      product,
      template,
      entitlements: entitlements.map((entitlement) => ({
        code: entitlement.code,
        name: entitlement.name,
        checked: held.has(entitlement.id),
      })),
      meters: meters.map((meter) => ({
        code: meter.code,
        name: meter.name,
        defaultLimit: meter.defaultLimit,
        mode: !limits.has(meter.id)
          ? 'default'
          : limits.get(meter.id) === null
            ? 'unlimited'
            : 'limited',
        limit: limits.get(meter.id) ?? '',
      })),
      policies: current && !names.includes(current) ? [...names, current] : names,
    }
  }
}
