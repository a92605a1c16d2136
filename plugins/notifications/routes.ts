import type { PluginRoutes } from '#plugin_host/api'

const Webhooks = () => import('./controllers/webhooks_controller.js')
const Email = () => import('./controllers/email_controller.js')

/**
 * The owner's webhook endpoints (they send the installation's data out)
 * and every admin's own e-mail subscriptions, under /admin/notifications.
 */
const routes: PluginRoutes = ({ admin, owner }) => {
  admin((router) => {
    router
      .group(() => {
        router
          .group(() => {
            router.get('/', [Webhooks, 'index']).as('index')
            router.get('/new', [Webhooks, 'create']).as('create')
            router.post('/', [Webhooks, 'store']).as('store')
            router
              .group(() => {
                router.get('/:id', [Webhooks, 'show']).as('show')
                router.post('/:id', [Webhooks, 'update']).as('update')
                router.post('/:id/delete', [Webhooks, 'destroy']).as('destroy')
                router.post('/:id/enable', [Webhooks, 'enable']).as('enable')
                router.post('/:id/disable', [Webhooks, 'disable']).as('disable')
                router.post('/:id/test', [Webhooks, 'test']).as('test')
                router.post('/:id/secret', [Webhooks, 'rotateSecret']).as('rotate_secret')
                router
                  .post('/:id/deliveries/:delivery/redeliver', [Webhooks, 'redeliver'])
                  .as('redeliver')
              })
              .where('id', router.matchers.number())
              .where('delivery', router.matchers.number())
          })
          .prefix('/webhooks')
          .as('webhooks')
          .use(owner)
        router.get('/email', [Email, 'show']).as('email')
        router.post('/email', [Email, 'update']).as('email_update')
      })
      .prefix('/notifications')
      .as('notifications')
  })
}

export default routes
