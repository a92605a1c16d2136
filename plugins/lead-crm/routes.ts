import type { PluginRoutes } from '#plugin_host/api'

const Institutions = () => import('./controllers/institutions_controller.js')
const Records = () => import('./controllers/records_controller.js')
const Tags = () => import('./controllers/tags_controller.js')
const Transfer = () => import('./controllers/transfer_controller.js')
const Stats = () => import('./controllers/stats_controller.js')

/**
 * Every page and call of the lead CRM is a panel route (`/admin/leads`,
 * behind the panel login). `/leads`, its address before 1.1, redirects.
 */
const routes: PluginRoutes = ({ admin, redirect }) => {
  admin((router) => {
    router
      .group(() => {
        router.get('/', [Institutions, 'index']).as('index')
        router.get('/new', [Institutions, 'create']).as('create')
        router.post('/', [Institutions, 'store']).as('store')
        router.get('/stats', [Stats, 'show']).as('stats')
        router.get('/api/stats', [Stats, 'json']).as('stats_json')
        router.get('/assets/stats.js', [Stats, 'script']).as('stats_script')
        router.get('/assets/tags.css', [Stats, 'tagStyles']).as('tag_styles')
        router.get('/export.csv', [Transfer, 'export']).as('export')
        router.get('/import', [Transfer, 'showImport']).as('import_form')
        router.post('/import', [Transfer, 'import']).as('import')
        router.get('/tags', [Tags, 'index']).as('tags')
        router.post('/tags', [Tags, 'store']).as('tags_store')
        router
          .group(() => {
            router.post('/tags/:tag', [Tags, 'update']).as('tags_update')
            router.post('/tags/:tag/delete', [Tags, 'destroy']).as('tags_destroy')
          })
          .where('tag', router.matchers.number())
        router
          .group(() => {
            router.get('/:id', [Institutions, 'show']).as('show')
            router.get('/:id/edit', [Institutions, 'edit']).as('edit')
            router.post('/:id', [Institutions, 'update']).as('update')
            router.get('/:id/delete', [Institutions, 'confirmDestroy']).as('confirm_destroy')
            router.post('/:id/delete', [Institutions, 'destroy']).as('destroy')
            router.post('/:id/convert', [Institutions, 'convert']).as('convert')
            router.post('/:id/activities', [Institutions, 'logActivity']).as('log_activity')
            router.post('/:id/contacts', [Records, 'storeContact']).as('contacts_store')
            router.post('/:id/contacts/:contact', [Records, 'updateContact']).as('contacts_update')
            router
              .post('/:id/contacts/:contact/delete', [Records, 'destroyContact'])
              .as('contacts_destroy')
            router.post('/:id/notes', [Records, 'storeNote']).as('notes_store')
            router.get('/:id/notes/:note', [Records, 'noteHistory']).as('notes_history')
            router.post('/:id/notes/:note', [Records, 'updateNote']).as('notes_update')
            router.post('/:id/notes/:note/restore', [Records, 'restoreNote']).as('notes_restore')
            router.post('/:id/notes/:note/delete', [Records, 'destroyNote']).as('notes_destroy')
          })
          .where('id', router.matchers.number())
          .where('contact', router.matchers.number())
          .where('note', router.matchers.number())
      })
      .prefix('/leads')
      .as('leads')
  })
  redirect('/leads', '/admin/leads')
}

export default routes
