import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { args, BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { discoverPlugins } from './plugin_host.js'
import { PluginsConfigFileError, togglePluginInFile } from './plugins_config_file.js'

/**
 * `plugin:enable` and `plugin:disable`: one edit of config/plugins.ts, in
 * either direction.
 */
export default abstract class PluginToggleCommand extends BaseCommand {
  /**
   * The app is not started: its boot checks config/plugins.ts, and these
   * commands must work while that file is invalid.
   */
  static options: CommandOptions = { startApp: false }

  protected abstract action: 'enable' | 'disable'

  @args.string({ description: 'The plugin (a folder under plugins/)' })
  declare name: string

  @flags.string({
    flagName: 'config',
    description: 'The plugins config file to edit',
    default: 'config/plugins.ts',
  })
  declare configFile: string

  async run() {
    const path = resolve(fileURLToPath(this.app.appRoot), this.configFile)
    const installed = await discoverPlugins(this.app.makePath('plugins'))
    try {
      const outcome = await togglePluginInFile(path, this.action, this.name, installed)
      if (outcome.status === 'refused') {
        this.logger.error(outcome.message)
        this.exitCode = 1
      } else if (outcome.status === 'unchanged') {
        this.logger.info(outcome.message)
      } else {
        this.logger.success(outcome.message)
        this.logger.info('Restart running servers and workers to apply the change')
      }
    } catch (error) {
      if (!(error instanceof PluginsConfigFileError)) throw error
      this.logger.error(error.message)
      this.exitCode = 1
    }
  }
}
