import type { JobHandler } from '#plugin_host/api'
import { HealthWatch } from '../services/health_watch.js'
import { WebhookDelivery } from '../services/webhook_delivery.js'

/** `notifications:health` (every 5 min): backup overdue, worker silent; overdue deliveries requeued. */
const watchHealth: JobHandler = async ({ app }) => {
  const [health, deliveries] = await Promise.all([
    app.container.make(HealthWatch),
    app.container.make(WebhookDelivery),
  ])
  return { ...(await health.check()), requeued: await deliveries.sweep() }
}

export default watchHealth
