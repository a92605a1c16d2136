import type { PluginRoutes } from '#plugin_host/api'

const Client = () => import('./controllers/client_controller.js')
const Pools = () => import('./controllers/pools_controller.js')
const Resources = () => import('./controllers/resources_controller.js')
const LicenseResources = () => import('./controllers/license_resources_controller.js')

/**
 * Client calls under `/api/license/resources`, panel pages under
 * `/admin/resources` (owner or admin, as the rest of the panel).
 */
const routes: PluginRoutes = ({ admin, api, matchers }) => {
  api((router) => {
    router.get('license/resources/:license_key', [Client, 'show'])
    router.post('license/resources/report', [Client, 'report'])
  })

  admin((router) => {
    router
      .group(() => {
        router.get('/', [Pools, 'index']).as('index')
        router.get('/assets/usage.js', [Pools, 'script']).as('usage_script')
        router.get('/list', [Resources, 'index']).as('list')
        router.get('/export.csv', [Resources, 'export']).as('export')
        router.get('/add', [Resources, 'create']).as('add_form')
        router.post('/add', [Resources, 'store']).as('add')
        router.post('/retire', [Resources, 'retire']).as('retire')
        router.get('/templates', [Pools, 'templates']).as('templates')
        router
          .post('/templates/:id', [Pools, 'updateTemplate'])
          .as('template_update')
          .where('id', matchers.number())
        router
          .group(() => {
            router.get('/licenses/:id', [LicenseResources, 'show']).as('license')
            router.post('/licenses/:id/allocate', [LicenseResources, 'allocate']).as('allocate')
            router.post('/licenses/:id/release', [LicenseResources, 'release']).as('release')
            router.post('/licenses/:id/swap', [LicenseResources, 'swap']).as('swap')
            router.post('/licenses/:id/needs', [LicenseResources, 'needs']).as('needs')
            router.get('/:id', [Resources, 'show']).as('show')
            router.post('/:id/clear-flag', [Resources, 'clearFlag']).as('clear_flag')
          })
          .where('id', matchers.number())
      })
      .prefix('/resources')
      .as('resources')
  })
}

export default routes
