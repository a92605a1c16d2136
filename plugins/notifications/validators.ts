import vine from '@vinejs/vine'
import { NOTIFICATION_TYPES } from './services/catalogue.js'

/** An endpoint as the form posts it: the address, a note, and at least one event. */
export const endpointValidator = vine.create({
  url: vine
    .string()
    .trim()
    .maxLength(2048)
    .url({ require_protocol: true, protocols: ['http', 'https'], require_tld: false }),
  description: vine.string().trim().maxLength(200).optional(),
  events: vine.array(vine.enum(NOTIFICATION_TYPES)).minLength(1).distinct(),
})

/** An admin's e-mail subscriptions: any of the types, none to unsubscribe from all. */
export const subscriptionsValidator = vine.create({
  events: vine.array(vine.enum(NOTIFICATION_TYPES)).distinct().optional(),
})

export const deliveryPageValidator = vine.create({
  page: vine.number().withoutDecimals().range([1, 100_000]).optional(),
  status: vine.enum(['pending', 'succeeded', 'failed']).optional(),
})
