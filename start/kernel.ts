import router from '@adonisjs/core/services/router'
import server from '@adonisjs/core/services/server'

server.errorHandler(() => import('#exceptions/handler'))

/**
 * Server middleware run on every request, matched or not, so a 404 or a
 * malformed body still gets a localized error.
 */
server.use([
  () => import('#middleware/container_bindings_middleware'),
  () => import('#middleware/detect_locale_middleware'),
])

router.use([() => import('@adonisjs/core/bodyparser_middleware')])

export const middleware = router.named({
  apiKey: () => import('#middleware/api_key_middleware'),
  apiRateLimit: () => import('#middleware/api_rate_limit_middleware'),
})
