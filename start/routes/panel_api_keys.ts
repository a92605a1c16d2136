/*
| The panel's client API keys: every admin lists and creates keys; only
| owners revoke them.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const ApiKeysController = () => import('#controllers/panel/api_keys_controller')

router
  .group(() => {
    router.get('api-keys', [ApiKeysController, 'index'])
    router.post('api-keys', [ApiKeysController, 'store'])
    router
      .post('api-keys/:id/revoke', [ApiKeysController, 'revoke'])
      .where('id', router.matchers.number())
      .use(middleware.owner())
  })
  .prefix('/admin')
  .use([middleware.blockedIp(), middleware.panel()])
