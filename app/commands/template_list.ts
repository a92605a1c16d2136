import db from '@adonisjs/lucid/services/db'
import LicenseTemplate from '#models/license_template'
import { CatalogueListCommand } from '#support/catalogue_list_command'

const rowOf = (template: LicenseTemplate) => ({
  product: template.product.slug,
  name: template.name,
  type: template.type,
  expiry_basis: template.expiryBasis,
  max_devices: template.maxDevices,
  max_sessions: template.maxSessions,
  session_policy: template.sessionPolicy,
  entitlements: template.entitlements.map((entitlement) => entitlement.code),
  meters: Object.fromEntries(
    template.meters.map((meter) => [meter.code, meter.$extras.pivot_limit ?? null])
  ),
  licenses: template.$extras.licenses_count as number,
})

export default class TemplateList extends CatalogueListCommand<ReturnType<typeof rowOf>> {
  static commandName = 'template:list'
  static description =
    'List the license templates of a product (of every product without --product)'

  protected none = 'There are no license templates (template:create adds one)'
  protected head = [
    'Product',
    'Name',
    'Type',
    'Devices',
    'Sessions',
    'Policy',
    'Entitlements',
    'Meters',
    'Licenses',
  ]

  protected async rows(productId: number | null) {
    const query = LicenseTemplate.query()
      .select('license_templates.*')
      .select(
        db.raw(
          '(SELECT count(*) FROM licenses l WHERE l.template_id = license_templates.id)::int AS licenses_count'
        )
      )
      .preload('product')
      .preload('entitlements', (entitlements) => entitlements.orderBy('code'))
      .preload('meters', (meters) => meters.orderBy('code'))
      .orderBy('product_id')
      .orderByRaw('lower(name)')
    if (productId !== null) query.where('product_id', productId)
    const templates = await query
    return templates.map(rowOf)
  }

  protected cells(row: ReturnType<typeof rowOf>) {
    return [
      row.product,
      row.name,
      row.type,
      String(row.max_devices),
      String(row.max_sessions),
      row.session_policy ?? 'default',
      row.entitlements.join(', ') || '-',
      Object.entries(row.meters)
        .map(([code, limit]) => `${code}=${limit ?? 'unlimited'}`)
        .join(', ') || 'defaults',
      String(row.licenses),
    ]
  }
}
