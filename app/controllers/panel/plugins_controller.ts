import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import PluginOverviewService from '#services/plugin_overview'

/**
 * The installed plugins, read-only: enabling or disabling one edits
 * config/plugins.ts (ace plugin:enable / plugin:disable) and needs every
 * web process and worker restarted, which a browser cannot do.
 */
@inject()
export default class PluginsController {
  constructor(protected plugins: PluginOverviewService) {}

  async index({ view }: HttpContext) {
    return view.render('pages/plugins/index', await this.plugins.page())
  }
}
