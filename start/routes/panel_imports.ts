/*
| The panel's CSV import and export of customers and licenses: the page,
| the round-trip exports, the check of a file (multipart: see
| config/bodyparser.ts) and its confirmation.
*/
import router from '@adonisjs/core/services/router'
import { panelGuards } from '#start/kernel'
import { controllers } from '#generated/controllers'

router
  .group(() => {
    router.get('imports', [controllers.panel.Imports, 'index'])
    router.get('imports/:kind/export.csv', [controllers.panel.Imports, 'export'])
    router.post('imports/:kind/check', [controllers.panel.Imports, 'preview'])
    router.post('imports/:kind/confirm', [controllers.panel.Imports, 'confirm'])
  })
  .prefix('/admin')
  .as('admin')
  .where('kind', /^(customers|licenses)$/)
  .use(panelGuards())
