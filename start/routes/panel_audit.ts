/*
| The panel's audit log: read-only, for every admin; the CSV export takes
| the list's query string.
*/
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { panelGuards } from '#start/kernel'

router
  .group(() => {
    router.get('audit', [controllers.panel.Audit, 'index'])
    router.get('audit/export.csv', [controllers.panel.Audit, 'export'])
  })
  .prefix('/admin')
  .as('admin')
  .use(panelGuards())
