/*
| Routes of the core. The client API lives under /api: every request there
| is rate limited per client IP and needs an `X-API-Key` (see start/kernel.ts).
*/
import app from '@adonisjs/core/services/app'
import router from '@adonisjs/core/services/router'
import PluginHost from '#plugin_host/plugin_host'
import { middleware, panelGuards } from '#start/kernel'

const LicensesController = () => import('#controllers/licenses_controller')
const SingleUseController = () => import('#controllers/single_use_controller')
const SessionsController = () => import('#controllers/sessions_controller')
const LeaseKeysController = () => import('#controllers/lease_keys_controller')
const EntitlementsController = () => import('#controllers/entitlements_controller')
const UsageController = () => import('#controllers/usage_controller')
const TransfersController = () => import('#controllers/transfers_controller')
const SecurityReportsController = () => import('#controllers/security_reports_controller')

/*
| Operations: liveness and readiness probes, Prometheus metrics.
*/
await import('#start/routes/health')
await import('#start/routes/metrics')

/** A self-hoster who opens the server's address wants the panel. */
router.get('/', ({ response }) => response.redirect('/admin'))

router
  .group(() => {
    router.post('license/activate', [LicensesController, 'activate'])
    router.post('license/deactivate', [LicensesController, 'deactivate'])
    router.post('license/verify', [LicensesController, 'verify'])
    router.get('license/info/:license_key', [LicensesController, 'info'])
    router.post('license/transfer', [TransfersController, 'transfer'])
    router.post('license/report', [SecurityReportsController, 'store'])

    router.post('license/entitlements/check', [EntitlementsController, 'check'])
    router.post('license/usage', [UsageController, 'record'])
    router.get('license/usage/:license_key', [UsageController, 'show'])

    router.post('license/session/start', [SessionsController, 'start'])
    router.post('license/session/heartbeat', [SessionsController, 'heartbeat'])
    router.post('license/session/end', [SessionsController, 'end'])

    router.get('keys/public', [LeaseKeysController, 'index'])

    router.get('validate/:license_key', [SingleUseController, 'validate'])
    router.post('activate', [SingleUseController, 'activate'])
    router.get('stats', [SingleUseController, 'stats'])
  })
  .prefix('/api')

/*
| The admin panel, one file per area.
*/
await import('#start/routes/panel')
await import('#start/routes/panel_dashboard')
await import('#start/routes/panel_customers')
await import('#start/routes/panel_imports')
await import('#start/routes/panel_products')
await import('#start/routes/panel_catalogue')
await import('#start/routes/panel_licenses')
await import('#start/routes/panel_license_entitlements')
await import('#start/routes/panel_transfers')
await import('#start/routes/panel_license_usage')
await import('#start/routes/panel_sessions')
await import('#start/routes/panel_api_keys')
await import('#start/routes/panel_audit')
await import('#start/routes/panel_plugins')
await import('#start/routes/panel_backups')
await import('#start/routes/panel_monitoring')
await import('#start/routes/panel_analytics')
await import('#start/routes/panel_security')

/*
| The enabled plugins' routes. A disabled plugin's routes are never mounted,
| so they answer 404. Their panel pages get the same guards as the core's.
*/
const pluginHost = await app.container.make(PluginHost)
await pluginHost.mountRoutes(router, {
  panel: panelGuards(),
  owner: [middleware.owner()],
})
