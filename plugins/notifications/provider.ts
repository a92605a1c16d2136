import type { ApplicationService } from '@adonisjs/core/types'
import logger from '@adonisjs/core/services/logger'
import db from '@adonisjs/lucid/services/db'
import { PanelExtensions, PluginHost } from '#plugin_host/api'
import { LISTENED_EVENTS } from './services/catalogue.js'
import { Dispatcher } from './services/dispatcher.js'
import { HealthWatch } from './services/health_watch.js'
import { NotificationListener } from './services/listener.js'
import { Mailer } from './services/mailer.js'
import { NotificationQueue } from './services/notification_queue.js'
import { NotificationsSettings } from './services/settings.js'

/** How often a web process looks for a silent worker (which cannot report itself). */
const WEB_HEALTH_CHECK_MS = 60_000

export default class NotificationsProvider {
  #timer?: NodeJS.Timeout

  constructor(protected app: ApplicationService) {}

  register() {
    this.app.container.singleton(NotificationsSettings, async (resolver) =>
      NotificationsSettings.from(await resolver.make(PluginHost))
    )
    this.app.container.singleton(NotificationQueue, () => new NotificationQueue())
    this.app.container.singleton(Mailer, () => new Mailer())
    this.app.container.singleton(
      NotificationListener,
      () =>
        new NotificationListener({
          dispatcher: () => this.app.container.make(Dispatcher),
          settings: () => this.app.container.make(NotificationsSettings),
        })
    )
  }

  /**
   * Listens to the domain events; the dashboard gets a card that counts
   * the endpoints and those switched off after failing for a day.
   */
  async boot() {
    // The emitter service module is filled in only once the app has booted.
    const emitter = await this.app.container.make('emitter')
    for (const event of LISTENED_EVENTS) {
      emitter.on(event, async (payload) => {
        const listener = await this.app.container.make(NotificationListener)
        await listener.handle(event, payload as never)
      })
    }
    const extensions = await this.app.container.make(PanelExtensions)
    extensions.addDashboardCard(async (t) => {
      const [row] = await db
        .from('notifications_webhook_endpoints')
        .select(
          db.raw('count(*)::int AS total'),
          db.raw(`count(*) FILTER (WHERE disabled_reason = 'failing')::int AS failing`)
        )
      return {
        id: 'notifications',
        title: t('notifications.nav_webhooks'),
        href: '/admin/notifications/webhooks',
        figures: [
          { label: t('notifications.endpoints'), value: row.total },
          { label: t('notifications.disabled_endpoints'), value: row.failing },
        ],
      }
    })
  }

  /** A web process checks for a silent worker now and then (all processes share one notice). */
  async ready() {
    if (this.app.getEnvironment() !== 'web') return
    const check = async () => {
      try {
        const watch = await this.app.container.make(HealthWatch)
        await watch.check()
      } catch (error) {
        logger.warn({ err: error }, 'notifications health check failed')
      }
    }
    this.#timer = setInterval(check, WEB_HEALTH_CHECK_MS)
    this.#timer.unref()
  }

  async shutdown() {
    clearInterval(this.#timer)
    const [listener, queue, mailer] = await Promise.all([
      this.app.container.make(NotificationListener),
      this.app.container.make(NotificationQueue),
      this.app.container.make(Mailer),
    ])
    await listener.drain()
    await queue.close()
    mailer.close()
  }
}
