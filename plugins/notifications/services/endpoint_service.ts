import { randomBytes } from 'node:crypto'
import { inject } from '@adonisjs/core'
import encryption from '@adonisjs/core/services/encryption'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { AuditTrail, Clock, DomainError, type Actor } from '#plugin_host/api'
import { PING, type NotificationType } from './catalogue.js'
import { isLoopbackHost } from './address_guard.js'
import { Dispatcher, webhookJobId } from './dispatcher.js'
import { NotificationQueue } from './notification_queue.js'
import { NotificationsSettings } from './settings.js'

export interface EndpointFields {
  url: string
  description: string | null
  events: NotificationType[]
}

/** A new signing secret: 32 random bytes, shown to the admin once. */
export const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`

const endpointRefusal = (reason: string) =>
  new DomainError(`webhook_${reason}`, {
    field: 'url',
    messageKey: `notifications.errors.${reason}`,
  })

/**
 * Webhook endpoints: created, changed, switched on and off, deleted,
 * test-sent and redelivered, each change audited in its transaction.
 * The secret is kept encrypted with APP_KEY (deliveries sign with it) and
 * is never shown again after the page that creates it.
 */
@inject()
export class EndpointService {
  constructor(
    protected audit: AuditTrail,
    protected clock: Clock,
    protected settings: NotificationsSettings,
    protected dispatcher: Dispatcher,
    protected queue: NotificationQueue
  ) {}

  /** HTTPS, or HTTP to this machine outside production. */
  protected checkUrl(url: string) {
    const parsed = new URL(url)
    if (parsed.username || parsed.password) throw endpointRefusal('credentials_in_url')
    if (parsed.protocol === 'https:') return
    if (parsed.protocol === 'http:' && this.settings.config.allowLoopbackHttp) {
      if (isLoopbackHost(parsed.hostname)) return
    }
    throw endpointRefusal('https_required')
  }

  async create(fields: EndpointFields, actor: Actor) {
    this.checkUrl(fields.url)
    const secret = newSecret()
    const now = this.clock.now().toJSDate()
    const id = await db.transaction(async (trx) => {
      const [row] = await trx
        .table('notifications_webhook_endpoints')
        .insert({
          url: fields.url,
          description: fields.description,
          events: fields.events,
          secret_sealed: encryption.encrypt(secret),
          created_at: now,
          updated_at: now,
        })
        .returning(['id'])
      await this.audit.record(trx, actor, {
        action: 'notifications.webhook_created',
        subjectType: 'webhook_endpoint',
        subjectId: row.id,
        after: { ...fields },
      })
      return Number(row.id)
    })
    return { id, secret }
  }

  /** Changes the address, description and events; false when there is no such endpoint. */
  async update(id: number, fields: EndpointFields, actor: Actor) {
    this.checkUrl(fields.url)
    return db.transaction(async (trx) => {
      const current = await this.lock(trx, id)
      if (!current) return false
      const before = { url: current.url, description: current.description, events: current.events }
      if (JSON.stringify(before) === JSON.stringify(fields)) return true
      await trx
        .from('notifications_webhook_endpoints')
        .where('id', id)
        .update({ ...fields, updated_at: this.clock.now().toJSDate() })
      await this.audit.record(trx, actor, {
        action: 'notifications.webhook_updated',
        subjectType: 'webhook_endpoint',
        subjectId: id,
        before,
        after: { ...fields },
      })
      return true
    })
  }

  /** Switches an endpoint on (clearing its failure streak) or off. */
  async setEnabled(id: number, enabled: boolean, actor: Actor) {
    const now = this.clock.now().toJSDate()
    return db.transaction(async (trx) => {
      const current = await this.lock(trx, id)
      if (!current) return false
      if (current.enabled === enabled) return true
      await trx
        .from('notifications_webhook_endpoints')
        .where('id', id)
        .update(
          enabled
            ? {
                enabled,
                failing_since: null,
                disabled_at: null,
                disabled_reason: null,
                updated_at: now,
              }
            : { enabled, disabled_at: now, disabled_reason: 'admin', updated_at: now }
        )
      await this.audit.record(trx, actor, {
        action: enabled ? 'notifications.webhook_enabled' : 'notifications.webhook_disabled',
        subjectType: 'webhook_endpoint',
        subjectId: id,
        before: { enabled: current.enabled, disabled_reason: current.disabled_reason },
        after: { enabled },
      })
      return true
    })
  }

  /**
   * A new signing secret (the old one stops working at once), shown once
   * like the first; null when there is no such endpoint.
   */
  async rotateSecret(id: number, actor: Actor) {
    const secret = newSecret()
    const found = await db.transaction(async (trx) => {
      if (!(await this.lock(trx, id))) return false
      await trx
        .from('notifications_webhook_endpoints')
        .where('id', id)
        .update({
          secret_sealed: encryption.encrypt(secret),
          updated_at: this.clock.now().toJSDate(),
        })
      await this.audit.record(trx, actor, {
        action: 'notifications.webhook_secret_rotated',
        subjectType: 'webhook_endpoint',
        subjectId: id,
      })
      return true
    })
    return found ? secret : null
  }

  async destroy(id: number, actor: Actor) {
    return db.transaction(async (trx) => {
      const current = await this.lock(trx, id)
      if (!current) return false
      await trx.from('notifications_webhook_endpoints').where('id', id).delete()
      await this.audit.record(trx, actor, {
        action: 'notifications.webhook_deleted',
        subjectType: 'webhook_endpoint',
        subjectId: id,
        before: { url: current.url, events: current.events },
      })
      return true
    })
  }

  /** Sends a `ping` event to this endpoint only. */
  async testSend(id: number, actor: Actor) {
    const endpoint = await db.from('notifications_webhook_endpoints').where('id', id).first()
    if (!endpoint) return null
    if (!endpoint.enabled) throw endpointRefusal('endpoint_disabled')
    const dispatched = await this.dispatcher.dispatch(
      {
        type: PING,
        data: { endpoint_id: id, message: 'Test delivery from the Keyward panel' },
        panelPath: `/admin/notifications/webhooks/${id}`,
      },
      { endpointId: id }
    )
    await db.transaction((trx) =>
      this.audit.record(trx, actor, {
        action: 'notifications.webhook_tested',
        subjectType: 'webhook_endpoint',
        subjectId: id,
        after: { event_id: dispatched.eventId },
      })
    )
    return dispatched
  }

  /**
   * Sends a delivery's event again, with the same event id (receivers
   * that saw it already can ignore it), starting a fresh schedule.
   */
  async redeliver(endpointId: number, deliveryId: number, actor: Actor) {
    const now = this.clock.now().toJSDate()
    const found = await db.transaction(async (trx) => {
      const endpoint = await this.lock(trx, endpointId)
      if (!endpoint) return null
      if (!endpoint.enabled) throw endpointRefusal('endpoint_disabled')
      const updated = await trx
        .from('notifications_deliveries')
        .where({ id: deliveryId, endpoint_id: endpointId })
        // A pending delivery is scheduled already (or in flight): nothing to restart.
        .whereNot('status', 'pending')
        .update({
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          error: null,
          updated_at: now,
        })
        .returning(['id', 'event_id'])
      if (updated.length === 0) {
        const delivery = await trx
          .from('notifications_deliveries')
          .where({ id: deliveryId, endpoint_id: endpointId })
          .first()
        if (delivery) throw endpointRefusal('delivery_pending')
        return null
      }
      await this.audit.record(trx, actor, {
        action: 'notifications.webhook_redelivered',
        subjectType: 'webhook_endpoint',
        subjectId: endpointId,
        after: { delivery_id: deliveryId, event_id: updated[0].event_id },
      })
      return updated[0]
    })
    if (!found) return false
    await this.queue.webhook(deliveryId, webhookJobId(deliveryId, now.getTime()))
    return true
  }

  protected lock(trx: TransactionClientContract, id: number) {
    return trx.from('notifications_webhook_endpoints').where('id', id).forUpdate().first()
  }
}
