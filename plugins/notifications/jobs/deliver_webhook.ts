import type { JobHandler } from '#plugin_host/api'
import { WebhookDelivery } from '../services/webhook_delivery.js'

/** `notifications:webhook` (enqueued, no schedule): one attempt of the delivery `{ deliveryId }`. */
const deliverWebhook: JobHandler = async ({ app, data }) => {
  const deliveryId = Number((data as { deliveryId?: unknown } | undefined)?.deliveryId)
  if (!Number.isInteger(deliveryId)) throw new Error('notifications:webhook needs a deliveryId')
  const delivery = await app.container.make(WebhookDelivery)
  return delivery.attempt(deliveryId)
}

export default deliverWebhook
