/*
| The admin panel's core routes: login, the admin's own account, admins and
| blocked IPs. Each area of the panel has its own file beside this one.
| Every panel route passes `blockedIp` and `panel` (logged-in admin);
| owner-only actions add `owner`. Forms POST (with a CSRF token): updates
| and deletions have their own paths.
*/
import router from '@adonisjs/core/services/router'
import { middleware } from '#start/kernel'

const AuthController = () => import('#controllers/panel/auth_controller')
const AccountController = () => import('#controllers/panel/account_controller')
const AdminsController = () => import('#controllers/panel/admins_controller')
const BlockedIpsController = () => import('#controllers/panel/blocked_ips_controller')

router
  .group(() => {
    router
      .group(() => {
        router.get('login', [AuthController, 'showLogin'])
        router.post('login', [AuthController, 'login'])
        router.get('login/two-factor', [AuthController, 'showSecondFactor'])
        router.post('login/two-factor', [AuthController, 'secondFactor'])
      })
      .use(middleware.guest())
    router.post('logout', [AuthController, 'logout'])
  })
  .prefix('/admin')
  .use(middleware.blockedIp())

router
  .group(() => {
    router.get('account', [AccountController, 'show'])
    router.post('account', [AccountController, 'update'])
    router.post('account/locale', [AccountController, 'switchLocale'])
    router.post('account/password', [AccountController, 'changePassword'])
    router.get('account/two-factor', [AccountController, 'showTwoFactor'])
    router.post('account/two-factor', [AccountController, 'enableTwoFactor'])
    router.post('account/two-factor/recovery-codes', [AccountController, 'regenerateRecoveryCodes'])
    router.post('account/two-factor/disable', [AccountController, 'disableTwoFactor'])

    router.get('blocked-ips', [BlockedIpsController, 'index'])
    router.post('blocked-ips', [BlockedIpsController, 'store'])
    router
      .post('blocked-ips/:id/delete', [BlockedIpsController, 'destroy'])
      .where('id', router.matchers.number())

    router
      .group(() => {
        router.get('admins', [AdminsController, 'index'])
        router.get('admins/new', [AdminsController, 'create'])
        router.post('admins', [AdminsController, 'store'])
        router.get('admins/:id/edit', [AdminsController, 'edit'])
        router.post('admins/:id', [AdminsController, 'update'])
        router.post('admins/:id/delete', [AdminsController, 'destroy'])
        router.post('admins/:id/reset-two-factor', [AdminsController, 'resetTwoFactor'])
      })
      .where('id', router.matchers.number())
      .use(middleware.owner())
  })
  .prefix('/admin')
  .use([middleware.blockedIp(), middleware.panel()])
