import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import type { PluginsConfig } from '#plugin_host/define_plugin'
import PluginOverviewService, { describeMigrations } from '#services/plugin_overview'

/** The listing's logic lives in the service, shared with the panel's plugins page. */
export {
  describeMigrations,
  migrationProgress,
  type MigrationProgress,
  type PluginRow,
  type PolicyFallback,
} from '#services/plugin_overview'

const plural = (count: number, word: string) =>
  `${count.toLocaleString('en-US')} ${word}${count === 1 ? '' : 's'}`

export default class PluginList extends BaseCommand {
  static commandName = 'plugin:list'
  static description =
    'List installed plugins (kind, version, enabled, migrations) and licenses whose policy falls back to the default'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Print JSON instead of a table' })
  declare json?: boolean

  async run() {
    /**
     * The running config, read now rather than the host's copy from boot, so
     * the listing follows `app.config` (what tests change).
     */
    const config = this.app.config.get<PluginsConfig>('plugins')
    const overview = await this.app.container.make(PluginOverviewService)
    const { plugins, fallbacks, defaultPlugin, defaultPolicyAvailable } =
      await overview.overview(config)

    if (this.json) {
      this.logger.log(
        JSON.stringify({
          plugins,
          defaultSessionPolicy: config.defaultSessionPolicy,
          fallbacks,
        })
      )
      return
    }

    if (plugins.length === 0) {
      this.logger.info('No plugins are installed (folders under plugins/)')
    } else {
      const table = this.ui.table()
      table.head(['Name', 'Kind', 'Version', 'Enabled', 'Migrations', 'Session policy'])
      for (const row of plugins) {
        table.row([
          row.name,
          row.kind,
          row.version,
          row.enabled ? 'yes' : 'no',
          describeMigrations(row.migrations),
          row.sessionPolicy ?? '-',
        ])
      }
      table.render()
    }

    const provider = defaultPlugin ? `plugin ${defaultPlugin.name}` : 'no installed plugin'
    this.logger.log(`Default session policy: '${config.defaultSessionPolicy}' (${provider})`)
    if (!defaultPolicyAvailable) {
      this.logger.warning(
        `No enabled plugin provides the default policy '${config.defaultSessionPolicy}': ` +
          'the app refuses to boot until one does'
      )
    }
    for (const fallback of fallbacks) {
      const why = fallback.plugin
        ? `plugin ${fallback.plugin} disabled`
        : 'no installed plugin provides it'
      const [use, they] = fallback.licenses === 1 ? ['uses', 'it runs'] : ['use', 'they run']
      this.logger.log(
        `${plural(fallback.licenses, 'license')} ${use} '${fallback.policy}' (${why}): ` +
          `${they} under '${fallback.runsUnder}'`
      )
    }
    if (fallbacks.length === 0) {
      this.logger.log('No license falls back to the default policy')
    }
  }
}
