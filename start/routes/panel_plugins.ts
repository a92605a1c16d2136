/*
| The panel's plugins page: read-only. Plugins are switched with
| `node ace.ts plugin:enable NAME` / `plugin:disable NAME` and a restart.
*/
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { panelGuards } from '#start/kernel'

router
  .get('/admin/plugins', [controllers.panel.Plugins, 'index'])
  .as('admin.plugins.index')
  .use(panelGuards())
