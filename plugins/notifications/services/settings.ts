import app from '@adonisjs/core/services/app'
import type { PluginHost } from '#plugin_host/api'
import type { defineConfig, NotificationsConfig } from '../define_config.js'

export type ResolvedNotificationsConfig = NotificationsConfig & {
  allowPrivateAddresses: boolean
  /** Plain HTTP to this machine: outside production only. */
  allowLoopbackHttp: boolean
}

/** The plugin's settings with the environment's defaults applied (tests swap their own). */
export class NotificationsSettings {
  constructor(readonly config: ResolvedNotificationsConfig) {}

  static from(host: PluginHost) {
    const config = host.configOf<typeof defineConfig>('notifications')
    return new NotificationsSettings({
      ...config,
      allowPrivateAddresses: config.allowPrivateAddresses ?? !app.inProduction,
      allowLoopbackHttp: !app.inProduction,
    })
  }
}
