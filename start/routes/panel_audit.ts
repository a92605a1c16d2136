/*
| The panel's audit log: read-only, for every admin; the CSV export takes
| the list's query string.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const AuditController = () => import('#controllers/panel/audit_controller')

router
  .group(() => {
    router.get('audit', [AuditController, 'index'])
    router.get('audit/export.csv', [AuditController, 'export'])
  })
  .prefix('/admin')
  .use([middleware.blockedIp(), middleware.panel()])
