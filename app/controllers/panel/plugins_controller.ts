import { readFile } from 'node:fs/promises'
import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import PluginHost from '#plugin_host/plugin_host'
import {
  parseDefaultSessionPolicy,
  parseEnabledList,
  PluginsConfigFileError,
} from '#plugin_host/plugins_config_file'
import { pluginOverview } from '#services/plugin_overview'

/**
 * What `config/plugins.ts` says now, which the running processes only pick
 * up at their next start. Null when the file is not there (a production
 * build carries compiled config only).
 */
async function configFileState() {
  const source = await readFile(app.makePath('config/plugins.ts'), 'utf8').catch(() => null)
  if (source === null) return null
  try {
    return {
      enabled: parseEnabledList(source).names,
      defaultSessionPolicy: parseDefaultSessionPolicy(source),
      error: null,
    }
  } catch (error) {
    if (!(error instanceof PluginsConfigFileError)) throw error
    return { enabled: null, defaultSessionPolicy: null, error: error.message }
  }
}

/**
 * The installed plugins, read-only: enabling or disabling one edits
 * config/plugins.ts (ace plugin:enable / plugin:disable) and needs every
 * web process and worker restarted, which a browser cannot do.
 */
@inject()
export default class PluginsController {
  constructor(protected host: PluginHost) {}

  async index({ view }: HttpContext) {
    const overview = await pluginOverview(app.appRoot, this.host.installed, this.host.config)
    const file = await configFileState()
    const plugins = overview.plugins.map((row) => {
      const definition = this.host.get(row.name)
      const enabledInFile = file?.enabled ? file.enabled.includes(row.name) : null
      return {
        ...row,
        description: definition.description,
        isDefaultPolicy:
          row.sessionPolicy !== null && row.sessionPolicy === overview.defaultSessionPolicy,
        /** Null when the file agrees with the running state (or cannot be read). */
        afterRestart:
          enabledInFile === null || enabledInFile === row.enabled ? null : enabledInFile,
        contributes: {
          provider: Boolean(definition.provider),
          routes: Boolean(definition.routes),
          pages: Boolean(definition.views),
          nav: definition.nav ?? [],
          jobs: definition.jobs ?? [],
          commands: definition.commands?.length ?? 0,
        },
      }
    })
    return view.render('pages/plugins/index', {
      plugins,
      overview,
      file,
      defaultPolicyChanges:
        file?.defaultSessionPolicy && file.defaultSessionPolicy !== overview.defaultSessionPolicy
          ? file.defaultSessionPolicy
          : null,
    })
  }
}
