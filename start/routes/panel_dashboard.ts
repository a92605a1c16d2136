/*
| The panel's dashboard, its live figures (Server-Sent Events), and Chart.js
| served from the installed package (no CDN).
*/
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { panelGuards } from '#start/kernel'

const { Dashboard } = controllers.panel

router
  .group(() => {
    router.get('/admin', [Dashboard, 'show'])
    router.get('/admin/dashboard/stream', [Dashboard, 'stream'])
  })
  .as('admin')
  .use(panelGuards())

// A public library, like the files in public/assets (which the static
// middleware tries first and does not have).
router.get('/assets/vendor/chart.umd.min.js', [Dashboard, 'chartJs'])
