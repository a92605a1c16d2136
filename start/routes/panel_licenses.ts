/*
| The panel's licenses: list, CSV export (same query string as the list),
| single licenses and batches, edits, inline quick edits, bulk status
| changes, and each license's devices.
*/
import router from '@adonisjs/core/services/router'
import { panelGuards } from '#start/kernel'
import { controllers } from '#generated/controllers'

/** License and device ids (`bigint`), as far as a JS number holds them exactly; else a 404. */
const rowId = { match: /^[1-9][0-9]{0,14}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.get('licenses', [controllers.panel.Licenses, 'index'])
    router.get('licenses/export.csv', [controllers.panel.Licenses, 'export'])
    router.get('licenses/new', [controllers.panel.Licenses, 'create'])
    router.post('licenses', [controllers.panel.Licenses, 'store'])
    router.post('licenses/bulk', [controllers.panel.Licenses, 'bulk'])
    router.get('licenses/:id', [controllers.panel.Licenses, 'show'])
    router.get('licenses/:id/edit', [controllers.panel.Licenses, 'edit'])
    router.post('licenses/:id', [controllers.panel.Licenses, 'update'])
    router.post('licenses/:id/quick', [controllers.panel.Licenses, 'quick'])
    router.post('licenses/:id/devices/:device/rename', [controllers.panel.Licenses, 'renameDevice'])
    router.post('licenses/:id/devices/:device/deactivate', [
      controllers.panel.Licenses,
      'deactivateDevice',
    ])
  })
  .prefix('/admin')
  .as('admin')
  .where('id', rowId)
  .where('device', rowId)
  .use(panelGuards())
