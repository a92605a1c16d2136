import { middleware } from '#start/kernel'
import type { PluginRoutes } from '#plugin_host/define_plugin'

const VersionController = () => import('./controllers/version_controller.js')
const ClientConfigsController = () => import('./controllers/client_configs_controller.js')

const routes: PluginRoutes = (router) => {
  // Client API: the /api gate (API key, rate limit, body size) covers these.
  router
    .group(() => {
      router.post('version/check', [VersionController, 'check'])
      router.get('version/latest', [VersionController, 'latest'])
    })
    .prefix('/api')

  router
    .group(() => {
      router.get('/admin/client-config', [ClientConfigsController, 'index'])
      router.get('/admin/client-config/new', [ClientConfigsController, 'create'])
      router.post('/admin/client-config', [ClientConfigsController, 'store'])
      router
        .group(() => {
          router.get('/admin/client-config/:id', [ClientConfigsController, 'show'])
          router.get('/admin/client-config/:id/edit', [ClientConfigsController, 'edit'])
          router.post('/admin/client-config/:id', [ClientConfigsController, 'update'])
        })
        .where('id', router.matchers.number())
      // The addresses of the system this replaces, kept for admins' bookmarks.
      router
        .get('/lizenzserver/config/client', [ClientConfigsController, 'index'])
        .as('client_configs.legacy_index')
      router
        .get('/lizenzserver/config/client/new', [ClientConfigsController, 'create'])
        .as('client_configs.legacy_create')
    })
    .use([middleware.blockedIp(), middleware.panel()])
}

export default routes
