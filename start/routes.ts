/*
| Routes of the core. The client API lives under /api: every request there
| is rate limited per client IP and needs an `X-API-Key` (see start/kernel.ts).
*/
import router from '@adonisjs/core/services/router'

const LicensesController = () => import('#controllers/licenses_controller')
const SingleUseController = () => import('#controllers/single_use_controller')

router.get('/health', async () => ({ status: 'ok' }))

router
  .group(() => {
    router.post('license/activate', [LicensesController, 'activate'])
    router.post('license/deactivate', [LicensesController, 'deactivate'])
    router.post('license/verify', [LicensesController, 'verify'])
    router.get('license/info/:license_key', [LicensesController, 'info'])

    router.get('validate/:license_key', [SingleUseController, 'validate'])
    router.post('activate', [SingleUseController, 'activate'])
    router.get('stats', [SingleUseController, 'stats'])
  })
  .prefix('/api')
