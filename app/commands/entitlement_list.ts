import Entitlement from '#models/entitlement'
import { CatalogueListCommand } from '#support/catalogue_list_command'

const rowOf = (entitlement: Entitlement) => ({
  product: entitlement.product.slug,
  code: entitlement.code,
  name: entitlement.name,
  description: entitlement.description,
})

export default class EntitlementList extends CatalogueListCommand<ReturnType<typeof rowOf>> {
  static commandName = 'entitlement:list'
  static description = 'List the entitlements of a product (of every product without --product)'

  protected none = 'There are no entitlements (entitlement:create adds one)'
  protected head = ['Product', 'Code', 'Name', 'Description']

  protected async rows(productId: number | null) {
    const query = Entitlement.query().preload('product').orderBy('product_id').orderBy('code')
    if (productId !== null) query.where('product_id', productId)
    const entitlements = await query
    return entitlements.map(rowOf)
  }

  protected cells(row: ReturnType<typeof rowOf>) {
    return [row.product, row.code, row.name, row.description ?? '']
  }
}
