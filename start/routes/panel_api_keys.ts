/*
| The panel's client API keys: every admin lists and creates keys; only
| owners revoke them.
*/
import router from '@adonisjs/core/services/router'
import { middleware, panelGuards } from '#start/kernel'
import { controllers } from '#generated/controllers'

router
  .group(() => {
    router.get('api-keys', [controllers.panel.ApiKeys, 'index'])
    router.post('api-keys', [controllers.panel.ApiKeys, 'store'])
    router
      .post('api-keys/:id/revoke', [controllers.panel.ApiKeys, 'revoke'])
      .where('id', router.matchers.number())
      .use(middleware.owner())
  })
  .prefix('/admin')
  .as('admin')
  .use(panelGuards())
