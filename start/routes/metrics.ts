/*
| Prometheus metrics of this process (docs/operations.md, "Metrics"), for
| operators only (METRICS_TOKEN or METRICS_ALLOW). With METRICS_ENABLED=false
| there is no route at all: `/metrics` is a 404 like any unknown path.
*/
import router from '@adonisjs/core/services/router'
import metricsConfig from '#config/metrics'
import { middleware } from '#start/kernel'

const MetricsController = () => import('#controllers/metrics_controller')

if (metricsConfig.enabled) {
  router.get('/metrics', [MetricsController, 'show']).use(middleware.metricsAccess())
}
