/*
| A license's device transfers, from its page: an admin moves a device to a
| new fingerprint (recorded, never counted against the customer's quota).
*/
import router from '@adonisjs/core/services/router'
import { panelGuards } from '#start/kernel'
import { controllers } from '#generated/controllers'

/** License ids (`bigint`), as far as a JS number holds them exactly; else a 404. */
const rowId = { match: /^[1-9][0-9]{0,14}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.post('licenses/:id/transfers', [controllers.panel.DeviceTransfers, 'store'])
  })
  .prefix('/admin')
  .as('admin')
  .where('id', rowId)
  .use(panelGuards())
