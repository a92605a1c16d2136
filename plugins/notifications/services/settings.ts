import app from '@adonisjs/core/services/app'
import type { PluginHost } from '#plugin_host/api'
import type { defineConfig, NotificationsConfig } from '../define_config.js'

/** The plugin's settings with the environment's defaults applied. */
export class NotificationsSettings {
  constructor(readonly config: NotificationsConfig & { allowPrivateAddresses: boolean }) {}

  static from(host: PluginHost) {
    const config = host.configOf<typeof defineConfig>('notifications')
    return new NotificationsSettings({
      ...config,
      allowPrivateAddresses: config.allowPrivateAddresses ?? !app.inProduction,
    })
  }

  /** HTTPS only in production; plain HTTP to this machine while developing. */
  get allowLoopbackHttp() {
    return !app.inProduction
  }
}
