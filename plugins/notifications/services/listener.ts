import type { EventsList } from '@adonisjs/core/types'
import logger from '@adonisjs/core/services/logger'
import redis from '@adonisjs/redis/services/main'
import { notificationOf, type ListenedEvent } from './catalogue.js'
import { type Dispatcher } from './dispatcher.js'
import { type NotificationsSettings } from './settings.js'

/**
 * Hears the domain events and dispatches their notifications. A limit
 * reached is sent at most once per license (a usage limit: per license and
 * meter) in `limitThrottleSeconds`: a Redis key set only if absent, with
 * that expiry, so one process wins. A failure is logged, never passed to
 * whoever emitted.
 */
export class NotificationListener {
  #pending = new Set<Promise<unknown>>()

  /** Resolves its collaborators per event, so what a test swaps in is used. */
  constructor(
    protected resolve: {
      dispatcher: () => Promise<Dispatcher>
      settings: () => Promise<NotificationsSettings>
    }
  ) {}

  handle<Name extends ListenedEvent>(event: Name, payload: EventsList[Name]) {
    const work = this.process(event, payload)
      .catch((error) => logger.error({ err: error, event }, 'notification not dispatched'))
      .finally(() => this.#pending.delete(work))
    this.#pending.add(work)
    return work
  }

  protected async process<Name extends ListenedEvent>(event: Name, payload: EventsList[Name]) {
    if (event === 'license:limit_reached') {
      const { license } = payload as EventsList['license:limit_reached']
      if (!(await this.firstInWindow(`limit_reached:${license.id}`))) return null
    }
    // A client retrying over its quota would otherwise send one per refused record.
    if (event === 'usage:limit_reached') {
      const { license, meter } = payload as EventsList['usage:limit_reached']
      if (!(await this.firstInWindow(`usage_limit_reached:${license.id}:${meter}`))) return null
    }
    const dispatcher = await this.resolve.dispatcher()
    return dispatcher.dispatch(notificationOf(event, payload))
  }

  /** Whether this is the first notification of its kind (`what`) in the window. */
  protected async firstInWindow(what: string) {
    const settings = await this.resolve.settings()
    const seconds = settings.config.limitThrottleSeconds
    const set = await redis.set(`notifications:${what}`, '1', 'EX', seconds, 'NX')
    return set === 'OK'
  }

  /** Lets dispatches under way finish (a command's process waits for them before it exits). */
  async drain() {
    await Promise.allSettled([...this.#pending])
  }
}
