import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import EntitlementCatalogue from '#services/catalogue/entitlement_catalogue'
import LicenseTemplates from '#services/catalogue/license_templates'
import MeterCatalogue from '#services/catalogue/meter_catalogue'
import ProductService from '#services/product_service'

/**
 * A product's catalogue on one page: its entitlements, its meters and the
 * license templates that combine them.
 */
@inject()
export default class CatalogueController {
  constructor(
    protected products: ProductService,
    protected entitlements: EntitlementCatalogue,
    protected meters: MeterCatalogue,
    protected templates: LicenseTemplates
  ) {}

  async show({ view, params }: HttpContext) {
    const product = await this.products.find(params.id)
    const [entitlements, meters, templates] = await Promise.all([
      this.entitlements.of(product.id),
      this.meters.of(product.id),
      this.templates.of(product.id),
    ])
    return view.render('pages/catalogue/show', { product, entitlements, meters, templates })
  }
}
