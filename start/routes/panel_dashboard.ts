// Placeholder until the dashboard lands.
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

router
  .get('/admin', ({ view }) => view.render('pages/dashboard'))
  .use([middleware.blockedIp(), middleware.panel()])
