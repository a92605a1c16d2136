/*
| A license's own entitlements, from its page: grant, withdraw, or follow
| the template again (one form field, `own`).
*/
import router from '@adonisjs/core/services/router'
import { panelGuards } from '#start/kernel'
import { controllers } from '#generated/controllers'

/** License ids (`bigint`), as far as a JS number holds them exactly; else a 404. */
const rowId = { match: /^[1-9][0-9]{0,14}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.post('licenses/:id/entitlements/:entitlement', [
      controllers.panel.LicenseEntitlements,
      'update',
    ])
  })
  .prefix('/admin')
  .as('admin')
  .where('id', rowId)
  .where('entitlement', router.matchers.number())
  .use(panelGuards())
