import app from '@adonisjs/core/services/app'
import { JobScheduler } from '#plugin_host/api'

export const WEBHOOK_JOB = 'notifications:webhook'
export const EMAIL_JOB = 'notifications:email'

/**
 * Puts this plugin's one-off jobs on the app's BullMQ queue, through one
 * connection per process (opened on first use, closed at shutdown).
 */
export class NotificationQueue {
  #scheduler?: JobScheduler

  protected get queue() {
    this.#scheduler ??= JobScheduler.fromConfig(app)
    return this.#scheduler.queue
  }

  /** A webhook attempt, `delayMs` from now; `jobId` keeps one job per attempt. */
  async webhook(deliveryId: number, jobId: string, delayMs = 0) {
    await this.queue.add(
      WEBHOOK_JOB,
      { deliveryId },
      {
        jobId,
        delay: Math.max(0, Math.round(delayMs)),
        // Retries are ours (the delivery's schedule), not BullMQ's.
        attempts: 1,
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 1000 },
      }
    )
  }

  /** An e-mail; a failed send is tried again by BullMQ (5 times, backing off). */
  async email(eventId: string, adminId: number) {
    await this.queue.add(
      EMAIL_JOB,
      { eventId, adminId },
      {
        jobId: `email-${eventId}-${adminId}`,
        attempts: 5,
        backoff: { type: 'exponential', delay: 60_000 },
        removeOnComplete: { count: 1000 },
        removeOnFail: { count: 1000 },
      }
    )
  }

  async close() {
    await this.#scheduler?.close()
    this.#scheduler = undefined
  }
}
