/*
| The panel's customers, and the autocomplete that finds them.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const CustomersController = () => import('#controllers/panel/customers_controller')

router
  .group(() => {
    router.get('customers', [CustomersController, 'index'])
    router.get('customers/suggest', [CustomersController, 'suggest'])
    router.get('customers/new', [CustomersController, 'create'])
    router.post('customers', [CustomersController, 'store'])
    router.get('customers/:id', [CustomersController, 'show'])
    router.get('customers/:id/edit', [CustomersController, 'edit'])
    router.post('customers/:id', [CustomersController, 'update'])
    router.post('customers/:id/delete', [CustomersController, 'destroy'])
  })
  .prefix('/admin')
  .where('id', router.matchers.number())
  .use([middleware.blockedIp(), middleware.panel()])
