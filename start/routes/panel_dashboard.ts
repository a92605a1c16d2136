/*
| The panel's dashboard, its live figures (Server-Sent Events), and Chart.js
| served from the installed package (no CDN).
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const DashboardController = () => import('#controllers/panel/dashboard_controller')

router
  .group(() => {
    router.get('/admin', [DashboardController, 'show'])
    router.get('/admin/dashboard/stream', [DashboardController, 'stream'])
  })
  .use([middleware.blockedIp(), middleware.panel()])

// A public library, like the files in public/assets (which the static
// middleware tries first and does not have).
router.get('/assets/vendor/chart.umd.min.js', [DashboardController, 'chartJs'])
