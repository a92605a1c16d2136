import { randomUUID } from 'node:crypto'
import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { Clock } from '#plugin_host/api'
import { PING, type Notification } from './catalogue.js'
import { Mailer } from './mailer.js'
import { NotificationQueue } from './notification_queue.js'

/** What one dispatch created. */
export interface Dispatched {
  eventId: string
  deliveryIds: number[]
  emailRecipients: number[]
}

/** A delivery's BullMQ job id: one per delivery and due time, so a duplicate add is a no-op. */
export const webhookJobId = (deliveryId: number, dueAtMs: number) =>
  `webhook-${deliveryId}-${dueAtMs}`

/**
 * Turns a notification into work: the event row (its id is what receivers
 * deduplicate on), one pending delivery per enabled endpoint that wants
 * the type, all in one transaction; then a job per delivery and per
 * subscribed admin's e-mail. A delivery whose job could not be queued
 * (Redis away) stays pending and is picked up by the periodic sweep.
 */
@inject()
export class Dispatcher {
  constructor(
    protected clock: Clock,
    protected queue: NotificationQueue,
    protected mailer: Mailer
  ) {}

  async dispatch(notification: Notification, only?: { endpointId: number }): Promise<Dispatched> {
    const now = this.clock.now().toJSDate()
    const eventId = randomUUID()
    const { deliveryIds, emailRecipients } = await db.transaction(async (trx) => {
      await trx.table('notifications_events').insert({
        id: eventId,
        type: notification.type,
        data: JSON.stringify(notification.data),
        panel_path: notification.panelPath,
        created_at: now,
      })
      const endpoints = trx.from('notifications_webhook_endpoints').where('enabled', true)
      if (only) endpoints.where('id', only.endpointId)
      else endpoints.whereRaw('events @> ARRAY[?]::text[]', [notification.type])
      const rows: { id: number }[] = await endpoints.select('id')
      const deliveries: { id: string | number }[] =
        rows.length === 0
          ? []
          : await trx
              .table('notifications_deliveries')
              .insert(
                rows.map((row) => ({
                  endpoint_id: row.id,
                  event_id: eventId,
                  status: 'pending',
                  next_attempt_at: now,
                  created_at: now,
                  updated_at: now,
                }))
              )
              .returning(['id'])
      const recipients: { admin_user_id: number }[] =
        notification.type === PING || !this.mailer.enabled
          ? []
          : await trx
              .from('notifications_email_subscriptions')
              .where('event_type', notification.type)
              .select('admin_user_id')
      return {
        deliveryIds: deliveries.map((row) => Number(row.id)),
        emailRecipients: recipients.map((row) => row.admin_user_id),
      }
    })
    await this.enqueue(eventId, deliveryIds, emailRecipients, now.getTime())
    return { eventId, deliveryIds, emailRecipients }
  }

  protected async enqueue(eventId: string, deliveries: number[], admins: number[], nowMs: number) {
    try {
      for (const id of deliveries) await this.queue.webhook(id, webhookJobId(id, nowMs))
      for (const admin of admins) await this.queue.email(eventId, admin)
    } catch (error) {
      logger.error({ err: error, eventId }, 'notification jobs not queued; the sweep retries them')
    }
  }
}
