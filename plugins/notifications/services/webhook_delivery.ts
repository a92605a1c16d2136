import { inject } from '@adonisjs/core'
import encryption from '@adonisjs/core/services/encryption'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { AuditTrail, Clock, LeaseKeyring } from '#plugin_host/api'
import { webhookJobId } from './dispatcher.js'
import { NotificationQueue } from './notification_queue.js'
import { retryDelayMs } from './retry_schedule.js'
import { NotificationsSettings } from './settings.js'
import { signatureHeaders } from './webhook_signature.js'
import { sendWebhook, type SendResult } from './webhook_sender.js'

/** The body of every delivery: the same bytes on every attempt. */
export function payloadOf(event: { id: string; type: string; created_at: Date; data: unknown }) {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    created_at: event.created_at.toISOString(),
    data: event.data,
  })
}

/** What one run of the delivery job did. */
export type AttemptOutcome =
  | { outcome: 'skipped'; reason: 'not_found' | 'not_pending' | 'not_due' | 'endpoint_disabled' }
  | {
      outcome: 'succeeded' | 'retrying' | 'failed'
      attempt: number
      status: number | null
      nextAttemptAt: Date | null
      endpointDisabled: boolean
    }

/**
 * One attempt of a webhook delivery, as the `notifications:webhook` job
 * runs it. The attempt is claimed with one UPDATE (due, pending, endpoint
 * enabled), so two workers, or a redelivery racing a retry, never send it
 * twice at once. A failure schedules the next attempt (retry_schedule.ts)
 * and queues its job with that delay; an endpoint that has failed for
 * `disableAfterHours` is switched off, with its pending deliveries.
 */
@inject()
export class WebhookDelivery {
  constructor(
    protected clock: Clock,
    protected keyring: LeaseKeyring,
    protected queue: NotificationQueue,
    protected settings: NotificationsSettings,
    protected audit: AuditTrail
  ) {}

  async attempt(deliveryId: number): Promise<AttemptOutcome> {
    const config = this.settings.config
    const startedAt = this.clock.now().toJSDate()
    // Until the attempt ends, it is "due" again only after a crash of this worker.
    const lease = new Date(startedAt.getTime() + config.timeoutMs + 60_000)
    const claimed = await db.rawQuery(
      `UPDATE notifications_deliveries AS d
          SET attempts = d.attempts + 1, last_attempt_at = ?, next_attempt_at = ?, updated_at = ?
         FROM notifications_webhook_endpoints AS e
        WHERE d.id = ? AND e.id = d.endpoint_id AND e.enabled
          AND d.status = 'pending' AND d.next_attempt_at <= ?
        RETURNING d.id, d.attempts, d.event_id, d.endpoint_id, e.url, e.secret_sealed`,
      [startedAt, lease, startedAt, deliveryId, startedAt]
    )
    const row = claimed.rows[0]
    if (!row) return { outcome: 'skipped', reason: await this.whyNot(deliveryId, startedAt) }

    const event = await db.from('notifications_events').where('id', row.event_id).firstOrFail()
    const body = payloadOf(event)
    let result: SendResult
    try {
      const headers = signatureHeaders({
        eventId: event.id,
        type: event.type,
        timestamp: Math.floor(startedAt.getTime() / 1000),
        body,
        secret: encryption.decrypt<string>(row.secret_sealed)!,
        signingKey: await this.keyring.signingKey(),
      })
      result = await sendWebhook(row.url, body, headers, {
        timeoutMs: config.timeoutMs,
        maxResponseBytes: config.maxResponseBytes,
        allowPrivateAddresses: config.allowPrivateAddresses,
      })
    } catch (error) {
      result = { ok: false, status: null, durationMs: 0, error: (error as Error).message }
    }
    return this.record(row, result, startedAt)
  }

  protected async record(
    row: { id: string | number; attempts: number; endpoint_id: number },
    result: SendResult,
    startedAt: Date
  ): Promise<AttemptOutcome> {
    const now = this.clock.now().toJSDate()
    const delay = result.ok ? null : retryDelayMs(row.attempts)
    const nextAttemptAt = delay === null ? null : new Date(now.getTime() + delay)
    const outcome = result.ok ? 'succeeded' : nextAttemptAt ? 'retrying' : 'failed'
    const endpointDisabled = await db.transaction(async (trx) => {
      await trx
        .from('notifications_deliveries')
        .where('id', row.id)
        .update({
          status: outcome === 'retrying' ? 'pending' : outcome,
          next_attempt_at: nextAttemptAt,
          response_status: result.status,
          duration_ms: result.durationMs,
          error: result.error?.slice(0, 500) ?? null,
          updated_at: now,
        })
      const endpoint = await trx
        .from('notifications_webhook_endpoints')
        .where('id', row.endpoint_id)
        .forUpdate()
        .first()
      if (!endpoint) return false
      if (result.ok) {
        if (endpoint.failing_since) {
          await trx
            .from('notifications_webhook_endpoints')
            .where('id', endpoint.id)
            .update({ failing_since: null })
        }
        return false
      }
      const failingSince: Date = endpoint.failing_since ?? startedAt
      const failingLongEnough =
        now.getTime() - failingSince.getTime() >= this.settings.config.disableAfterMs
      if (!endpoint.enabled || !failingLongEnough) {
        if (!endpoint.failing_since) {
          await trx
            .from('notifications_webhook_endpoints')
            .where('id', endpoint.id)
            .update({ failing_since: failingSince })
        }
        return false
      }
      await this.disable(trx, endpoint, failingSince, now)
      return true
    })
    if (outcome === 'retrying' && !endpointDisabled) {
      const dueAt = nextAttemptAt!.getTime()
      try {
        await this.queue.webhook(
          Number(row.id),
          webhookJobId(Number(row.id), dueAt),
          dueAt - this.clock.now().toMillis()
        )
      } catch (error) {
        logger.error({ err: error, deliveryId: row.id }, 'retry not queued; the sweep queues it')
      }
    }
    return {
      outcome: endpointDisabled && outcome === 'retrying' ? 'failed' : outcome,
      attempt: row.attempts,
      status: result.status,
      nextAttemptAt: endpointDisabled ? null : nextAttemptAt,
      endpointDisabled,
    }
  }

  /** Switches a failing endpoint off; its pending deliveries fail with it. */
  protected async disable(
    trx: TransactionClientContract,
    endpoint: { id: number; url: string },
    failingSince: Date,
    now: Date
  ) {
    await trx.from('notifications_webhook_endpoints').where('id', endpoint.id).update({
      enabled: false,
      failing_since: failingSince,
      disabled_at: now,
      disabled_reason: 'failing',
      updated_at: now,
    })
    await trx
      .from('notifications_deliveries')
      .where({ endpoint_id: endpoint.id, status: 'pending' })
      .update({
        status: 'failed',
        next_attempt_at: null,
        error: 'endpoint disabled',
        updated_at: now,
      })
    await this.audit.record(
      trx,
      { type: 'system', label: 'notifications' },
      {
        action: 'notifications.webhook_disabled',
        subjectType: 'webhook_endpoint',
        subjectId: endpoint.id,
        after: { url: endpoint.url, reason: 'failing', failing_since: failingSince.toISOString() },
      }
    )
    logger.warn({ endpoint: endpoint.id }, 'webhook endpoint disabled after a day of failures')
  }

  protected async whyNot(deliveryId: number, now: Date) {
    const row = await db
      .from('notifications_deliveries as d')
      .join('notifications_webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .where('d.id', deliveryId)
      .select('d.status', 'd.next_attempt_at', 'e.enabled')
      .first()
    if (!row) return 'not_found' as const
    if (row.status !== 'pending') return 'not_pending' as const
    if (!row.enabled) return 'endpoint_disabled' as const
    return row.next_attempt_at > now ? ('not_due' as const) : ('not_pending' as const)
  }

  /**
   * Queues the pending deliveries that are overdue without a job (Redis was
   * away when they were due, or a worker died mid-attempt): run
   * periodically. The claim makes a duplicate harmless.
   */
  async sweep(graceMs = 5 * 60_000) {
    const now = this.clock.now().toMillis()
    const overdue: { id: string | number; next_attempt_at: Date }[] = await db
      .from('notifications_deliveries as d')
      .join('notifications_webhook_endpoints as e', 'e.id', 'd.endpoint_id')
      .where('d.status', 'pending')
      .where('e.enabled', true)
      .where('d.next_attempt_at', '<', new Date(now - graceMs))
      .select('d.id', 'd.next_attempt_at')
      .limit(1000)
    for (const row of overdue) {
      await this.queue.webhook(Number(row.id), webhookJobId(Number(row.id), now))
    }
    return overdue.length
  }
}
