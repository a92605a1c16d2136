import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'

server.errorHandler(() => import('#exceptions/handler'))

/**
 * Server middleware run on every request, matched or not, before the body is
 * parsed. The client API gate (rate limit, API key, body size) sits here so
 * that it covers every `/api` request: unknown paths and malformed bodies
 * included. Each of the three passes other requests through untouched.
 */
server.use([
  () => import('#middleware/container_bindings_middleware'),
  () => import('#middleware/detect_locale_middleware'),
  () => import('#middleware/api_rate_limit_middleware'),
  () => import('#middleware/api_key_middleware'),
  () => import('#middleware/api_body_limit_middleware'),
])

router.use([() => import('@adonisjs/core/bodyparser_middleware')])

export const middleware = router.named({})
