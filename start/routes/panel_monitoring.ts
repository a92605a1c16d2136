/*
| The panel's monitoring page and the JSON its live updates poll. All
| admins may see it.
*/
import router from '@adonisjs/core/services/router'
import { panelGuards } from '#start/kernel'

const MonitoringController = () => import('#controllers/panel/monitoring_controller')

router
  .group(() => {
    router.get('/admin/monitoring', [MonitoringController, 'show']).as('monitoring.show')
    router.get('/admin/monitoring/data', [MonitoringController, 'data']).as('monitoring.data')
  })
  .as('admin')
  .use(panelGuards())
