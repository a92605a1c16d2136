import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'
import metricsConfig from '#config/metrics'

server.errorHandler(() => import('#exceptions/handler'))

/**
 * Server middleware run on every request, matched or not, before the body is
 * parsed. The client API gate (rate limit, API key, body size) sits here so
 * that it covers every `/api` request: unknown paths and malformed bodies
 * included, preceded by the blocked-IP check. Each passes other requests through untouched.
 * The request metrics come first, so their time covers all the rest; with
 * METRICS_ENABLED=false they are not there at all.
 */
server.use([
  ...(metricsConfig.enabled ? [() => import('#middleware/http_metrics_middleware')] : []),
  () => import('#middleware/container_bindings_middleware'),
  () => import('#middleware/security_headers_middleware'),
  () => import('#middleware/assets_middleware'),
  () => import('#middleware/detect_locale_middleware'),
  () => import('#middleware/api_blocked_ip_middleware'),
  () => import('#middleware/api_rate_limit_middleware'),
  () => import('#middleware/api_key_middleware'),
  () => import('#middleware/api_body_limit_middleware'),
])

/**
 * Router middleware run on every matched route. The session, CSRF and auth
 * layers serve browsers; the client API and the health check skip them
 * (app/support/browser_requests.ts).
 */
router.use([
  () => import('@adonisjs/core/bodyparser_middleware'),
  () => import('#middleware/browser_session_middleware'),
  () => import('#middleware/browser_guards_middleware'),
])

/**
 * Panel routes use `panel` (blocked IPs refused, admin logged in, locale and
 * layout data shared); owner-only actions add `owner`.
 */
export const middleware = router.named({
  blockedIp: () => import('#middleware/blocked_ip_middleware'),
  guest: () => import('#middleware/guest_middleware'),
  panel: () => import('#middleware/panel_middleware'),
  owner: () => import('#middleware/owner_middleware'),
  metricsAccess: () => import('#middleware/metrics_access_middleware'),
})

/**
 * What guards every panel page, the core's and the plugins' alike (the
 * plugin host mounts plugin pages behind the same): blocked addresses are
 * refused first, then the admin must be logged in.
 */
export const panelGuards = () => [middleware.blockedIp(), middleware.panel()]
