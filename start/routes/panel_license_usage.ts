/*
| A license's meters, from its page: its own limit of a meter, and a reset
| of the meter's current period.
*/
import router from '@adonisjs/core/services/router'
import { panelGuards } from '#start/kernel'
import { METER_CODE } from '#validators/usage_api'

const LicenseUsageController = () => import('#controllers/panel/license_usage_controller')

/** License ids (`bigint`), as far as a JS number holds them exactly; else a 404. */
const rowId = { match: /^[1-9][0-9]{0,14}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router
      .post('licenses/:id/meters/:meter/limit', [LicenseUsageController, 'limit'])
      .as('license_usage.limit')
    router
      .post('licenses/:id/meters/:meter/reset', [LicenseUsageController, 'reset'])
      .as('license_usage.reset')
  })
  .prefix('/admin')
  .as('admin')
  .where('id', rowId)
  .where('meter', METER_CODE)
  .use(panelGuards())
