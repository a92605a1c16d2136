/*
| The panel's products: list, create, edit (the slug stays as created).
*/
import router from '@adonisjs/core/services/router'
import { panelGuards } from '#start/kernel'
import { controllers } from '#generated/controllers'

/** A product id (an `integer` column): anything longer is a 404, never a database error. */
const productId = { match: /^[1-9][0-9]{0,8}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.get('products', [controllers.panel.Products, 'index'])
    router.get('products/new', [controllers.panel.Products, 'create'])
    router.post('products', [controllers.panel.Products, 'store'])
    router.get('products/:id/edit', [controllers.panel.Products, 'edit'])
    router.post('products/:id', [controllers.panel.Products, 'update'])
  })
  .prefix('/admin')
  .as('admin')
  .where('id', productId)
  .use(panelGuards())
