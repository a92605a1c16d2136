/*
| The panel's licenses: list, CSV export (same query string as the list),
| single licenses and batches, edits, inline quick edits, bulk status
| changes, and each license's devices.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const LicensesController = () => import('#controllers/panel/licenses_controller')

/** License and device ids (`bigint`), as far as a JS number holds them exactly; else a 404. */
const rowId = { match: /^[1-9][0-9]{0,14}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.get('licenses', [LicensesController, 'index'])
    router.get('licenses/export.csv', [LicensesController, 'export'])
    router.get('licenses/new', [LicensesController, 'create'])
    router.post('licenses', [LicensesController, 'store'])
    router.post('licenses/bulk', [LicensesController, 'bulk'])
    router.get('licenses/:id', [LicensesController, 'show'])
    router.get('licenses/:id/edit', [LicensesController, 'edit'])
    router.post('licenses/:id', [LicensesController, 'update'])
    router.post('licenses/:id/quick', [LicensesController, 'quick'])
    router.post('licenses/:id/devices/:device/rename', [LicensesController, 'renameDevice'])
    router.post('licenses/:id/devices/:device/deactivate', [LicensesController, 'deactivateDevice'])
  })
  .prefix('/admin')
  .where('id', rowId)
  .where('device', rowId)
  .use([middleware.blockedIp(), middleware.panel()])
