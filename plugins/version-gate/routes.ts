import type { PluginRoutes } from '#plugin_host/api'

const VersionController = () => import('./controllers/version_controller.js')
const ClientConfigsController = () => import('./controllers/client_configs_controller.js')

const routes: PluginRoutes = ({ admin, api, redirect, matchers }) => {
  api((router) => {
    router.post('version/check', [VersionController, 'check'])
    router.get('version/latest', [VersionController, 'latest'])
  })

  admin((router) => {
    router.get('client-config', [ClientConfigsController, 'index'])
    router.get('client-config/new', [ClientConfigsController, 'create'])
    router.post('client-config', [ClientConfigsController, 'store'])
    router
      .group(() => {
        router.get('client-config/:id', [ClientConfigsController, 'show'])
        router.get('client-config/:id/edit', [ClientConfigsController, 'edit'])
        router.post('client-config/:id', [ClientConfigsController, 'update'])
      })
      .where('id', matchers.number())
  })

  // The addresses of the system this replaces, kept for admins' bookmarks.
  redirect('/lizenzserver/config/client', '/admin/client-config')
}

export default routes
