/*
| The panel's plugins page: read-only. Plugins are switched with
| `node ace.ts plugin:enable NAME` / `plugin:disable NAME` and a restart.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const PluginsController = () => import('#controllers/panel/plugins_controller')

router
  .get('/admin/plugins', [PluginsController, 'index'])
  .use([middleware.blockedIp(), middleware.panel()])
