/*
| The panel's customers, and the autocomplete that finds them
| (`GET /admin/customers/suggest?q=`, JSON).
*/
import router from '@adonisjs/core/services/router'
import { panelGuards } from '#start/kernel'
import { controllers } from '#generated/controllers'

/** A customer id (an `integer` column): anything longer is a 404, never a database error. */
const customerId = { match: /^[1-9][0-9]{0,8}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.get('customers', [controllers.panel.Customers, 'index'])
    router.get('customers/suggest', [controllers.panel.Customers, 'suggest'])
    router.get('customers/new', [controllers.panel.Customers, 'create'])
    router.post('customers', [controllers.panel.Customers, 'store'])
    router.get('customers/:id', [controllers.panel.Customers, 'show'])
    router.get('customers/:id/edit', [controllers.panel.Customers, 'edit'])
    router.post('customers/:id', [controllers.panel.Customers, 'update'])
    router.get('customers/:id/delete', [controllers.panel.Customers, 'confirmDestroy'])
    router.post('customers/:id/delete', [controllers.panel.Customers, 'destroy'])
  })
  .prefix('/admin')
  .as('admin')
  .where('id', customerId)
  .use(panelGuards())
