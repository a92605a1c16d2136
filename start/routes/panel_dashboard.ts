/*
| The panel's dashboard and its live figures (Server-Sent Events), and
| Chart.js served from the installed package (no CDN).
*/
import { createReadStream } from 'node:fs'
import { fileURLToPath } from 'node:url'
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const DashboardController = () => import('#controllers/panel/dashboard_controller')

router
  .group(() => {
    router.get('/admin', [DashboardController, 'show'])
    router.get('/admin/dashboard/stream', [DashboardController, 'stream'])
  })
  .use([middleware.blockedIp(), middleware.panel()])

// The package's entry is dist/chart.js; its browser build sits beside it.
const chartJs = fileURLToPath(new URL('chart.umd.min.js', import.meta.resolve('chart.js')))

router.get('/vendor/chart.umd.min.js', ({ response }) => {
  response.header('Content-Type', 'text/javascript; charset=utf-8')
  response.header('Cache-Control', 'public, max-age=86400')
  response.stream(createReadStream(chartJs))
})
