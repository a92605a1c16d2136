import Meter from '#models/meter'
import { meterSettingsView } from '#services/catalogue/meter_catalogue'
import { CatalogueListCommand } from '#support/catalogue_list_command'

const rowOf = (meter: Meter) => ({
  product: meter.product.slug,
  code: meter.code,
  name: meter.name,
  ...meterSettingsView(meter),
})

export default class MeterList extends CatalogueListCommand<ReturnType<typeof rowOf>> {
  static commandName = 'meter:list'
  static description = 'List the meters of a product (of every product without --product)'

  protected none = 'There are no meters (meter:create adds one)'
  protected head = ['Product', 'Code', 'Name', 'Period', 'Time zone', 'Default limit', 'Overage']

  protected async rows(productId: number | null) {
    const query = Meter.query().preload('product').orderBy('product_id').orderBy('code')
    if (productId !== null) query.where('product_id', productId)
    const meters = await query
    return meters.map(rowOf)
  }

  protected cells(row: ReturnType<typeof rowOf>) {
    return [
      row.product,
      row.code,
      row.name,
      row.period === 'rolling' ? `rolling ${row.rolling_seconds}s` : row.period,
      row.time_zone,
      row.default_limit === null ? 'unlimited' : String(row.default_limit),
      row.overage === 'tolerance' ? `tolerance ${row.tolerance_percent}%` : row.overage,
    ]
  }
}
