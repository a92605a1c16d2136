/*
| The panel's security pages: the detectors' alerts and what admins do
| about them, the security events, and each product's rule settings.
| Every admin may act; ending sessions is for owners (checked by the
| controller, as the action is one form field).
*/
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { panelGuards } from '#start/kernel'

const { SecurityAlerts, SecurityEvents, SecurityRules } = controllers.panel

router
  .group(() => {
    router.get('security/alerts', [SecurityAlerts, 'index'])
    router
      .group(() => {
        router.get('security/alerts/:id', [SecurityAlerts, 'show'])
        router.post('security/alerts/:id/acknowledge', [SecurityAlerts, 'acknowledge'])
        router.post('security/alerts/:id/resolve', [SecurityAlerts, 'resolve'])
        router.post('security/alerts/:id/actions', [SecurityAlerts, 'act'])
        router
          .post('security/alerts/:id/actions/:action/reverse', [SecurityAlerts, 'reverse'])
          .where('action', router.matchers.number())
        router.get('products/:id/security', [SecurityRules, 'edit'])
        router.post('products/:id/security', [SecurityRules, 'update'])
      })
      .where('id', router.matchers.number())
    router.get('security/events', [SecurityEvents, 'index'])
  })
  .prefix('/admin')
  .as('admin')
  .use(panelGuards())
