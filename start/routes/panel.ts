/*
| The admin panel's core routes: login, the admin's own account, admins and
| blocked IPs. Each area of the panel has its own file beside this one.
| Every panel route passes `blockedIp` and `panel` (logged-in admin);
| owner-only actions add `owner`. Forms POST (with a CSRF token): updates
| and deletions have their own paths. Route names start with `admin.`
| (`admin.account.show`): the API has controllers of the same names.
*/
import router from '@adonisjs/core/services/router'
import { controllers } from '#generated/controllers'
import { middleware, panelGuards } from '#start/kernel'

const { Auth, Account, Admins, BlockedIps } = controllers.panel

router
  .group(() => {
    router
      .group(() => {
        router.get('login', [Auth, 'showLogin'])
        router.post('login', [Auth, 'login'])
        router.get('login/two-factor', [Auth, 'showSecondFactor'])
        router.post('login/two-factor', [Auth, 'secondFactor'])
      })
      .use(middleware.guest())
    router.post('logout', [Auth, 'logout'])
  })
  .prefix('/admin')
  .as('admin')
  .use(middleware.blockedIp())

router
  .group(() => {
    router.get('account', [Account, 'show'])
    router.post('account', [Account, 'update'])
    router.post('account/locale', [Account, 'switchLocale'])
    router.post('account/password', [Account, 'changePassword'])
    router.get('account/two-factor', [Account, 'showTwoFactor'])
    router.post('account/two-factor', [Account, 'enableTwoFactor'])
    router.post('account/two-factor/recovery-codes', [Account, 'regenerateRecoveryCodes'])
    router.post('account/two-factor/disable', [Account, 'disableTwoFactor'])

    router.get('blocked-ips', [BlockedIps, 'index'])
    router.post('blocked-ips', [BlockedIps, 'store'])
    router
      .post('blocked-ips/:id/delete', [BlockedIps, 'destroy'])
      .where('id', router.matchers.number())

    router
      .group(() => {
        router.get('admins', [Admins, 'index'])
        router.get('admins/new', [Admins, 'create'])
        router.post('admins', [Admins, 'store'])
        router.get('admins/:id/edit', [Admins, 'edit'])
        router.post('admins/:id', [Admins, 'update'])
        router.post('admins/:id/delete', [Admins, 'destroy'])
        router.post('admins/:id/reset-two-factor', [Admins, 'resetTwoFactor'])
      })
      .where('id', router.matchers.number())
      .use(middleware.owner())
  })
  .prefix('/admin')
  .as('admin')
  .use(panelGuards())
