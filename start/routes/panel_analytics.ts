/*
| The panel's usage analytics: all products or one (query string), one
| license, and the CSV exports of both (same query string as the page,
| `license_id` for a license's). All admins may see them.
*/
import router from '@adonisjs/core/services/router'
import { panelGuards } from '#start/kernel'
import { controllers } from '#generated/controllers'

/** A license id (`bigint`), as far as a JS number holds it exactly; else a 404. */
const rowId = { match: /^[1-9][0-9]{0,14}$/, cast: (value: string) => Number(value) }

router
  .group(() => {
    router.get('analytics', [controllers.panel.Analytics, 'index'])
    router.get('analytics/figures.csv', [controllers.panel.Analytics, 'figures'])
    router.get('analytics/events.csv', [controllers.panel.Analytics, 'events'])
    router.get('analytics/licenses/:id', [controllers.panel.Analytics, 'license'])
  })
  .prefix('/admin')
  .as('admin')
  .where('id', rowId)
  .use(panelGuards())
