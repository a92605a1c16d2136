import type { HttpRequest } from '@adonisjs/core/http'
import Product from '#models/product'
import { paginate, readListState, whereMatches } from '#support/panel_list'

/** The panel's product list, and the products a form or filter offers. */
export default class ProductList {
  async page(request: HttpRequest) {
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
    if (list.q) whereMatches(query, ['name', 'slug'], list.q)
    return { list, page: await paginate<Product>(query, list) }
  }

  /** Every product, by name. */
  async all() {
    return Product.query().orderBy('name')
  }
}
