/*
| The panel's sessions: who is online, who was; owners force-end a session.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const SessionsController = () => import('#controllers/panel/sessions_controller')

router
  .group(() => {
    router.get('sessions', [SessionsController, 'index'])
    router.get('sessions/history', [SessionsController, 'history'])
    router.get('sessions/history/export.csv', [SessionsController, 'exportHistory'])
    router
      .post('sessions/:id/end', [SessionsController, 'forceEnd'])
      .where('id', router.matchers.number())
      .use(middleware.owner())
  })
  .prefix('/admin')
  .use([middleware.blockedIp(), middleware.panel()])
