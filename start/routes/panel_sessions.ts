/*
| The panel's sessions: who is online, who was; owners force-end a session.
*/
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware, panelGuards } from '#start/kernel'

const { Sessions } = controllers.panel

router
  .group(() => {
    router.get('sessions', [Sessions, 'index'])
    router.get('sessions/history', [Sessions, 'history'])
    router.get('sessions/history/export.csv', [Sessions, 'exportHistory'])
    router
      .post('sessions/:id/end', [Sessions, 'forceEnd'])
      .where('id', router.matchers.number())
      .use(middleware.owner())
  })
  .prefix('/admin')
  .as('admin')
  .use(panelGuards())
