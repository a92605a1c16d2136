/*
| The panel's products: list, create, edit (the slug stays as created).
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const ProductsController = () => import('#controllers/panel/products_controller')

/** A product id (an `integer` column): anything longer is a 404, never a database error. */
const productId = { match: /^[1-9][0-9]{0,8}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.get('products', [ProductsController, 'index'])
    router.get('products/new', [ProductsController, 'create'])
    router.post('products', [ProductsController, 'store'])
    router.get('products/:id/edit', [ProductsController, 'edit'])
    router.post('products/:id', [ProductsController, 'update'])
  })
  .prefix('/admin')
  .where('id', productId)
  .use([middleware.blockedIp(), middleware.panel()])
