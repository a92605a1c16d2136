/*
| The panel's customers, and the autocomplete that finds them
| (`GET /admin/customers/suggest?q=`, JSON).
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const CustomersController = () => import('#controllers/panel/customers_controller')

/** A customer id (an `integer` column): anything longer is a 404, never a database error. */
const customerId = { match: /^[1-9][0-9]{0,8}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.get('customers', [CustomersController, 'index'])
    router.get('customers/suggest', [CustomersController, 'suggest'])
    router.get('customers/new', [CustomersController, 'create'])
    router.post('customers', [CustomersController, 'store'])
    router.get('customers/:id', [CustomersController, 'show'])
    router.get('customers/:id/edit', [CustomersController, 'edit'])
    router.post('customers/:id', [CustomersController, 'update'])
    router.get('customers/:id/delete', [CustomersController, 'confirmDestroy'])
    router.post('customers/:id/delete', [CustomersController, 'destroy'])
  })
  .prefix('/admin')
  .where('id', customerId)
  .use([middleware.blockedIp(), middleware.panel()])
