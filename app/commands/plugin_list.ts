import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import db from '@adonisjs/lucid/services/db'
import { sourceFiles } from '@adonisjs/lucid/utils'
import type { PluginDefinition, PluginsConfig } from '#plugin_host/define_plugin'
import PluginHost from '#plugin_host/plugin_host'

export interface MigrationProgress {
  total: number
  pending: number
}

/**
 * How many migrations of `folder` (relative to the app root, as Lucid's
 * migration paths are) have not run, given the names Lucid recorded. Lucid
 * names a migration by its path without extension, and lists files exactly
 * this way. Null when the folder does not exist.
 */
export async function migrationProgress(
  appRoot: URL,
  folder: string,
  migrated: Set<string>
): Promise<MigrationProgress | null> {
  if (!existsSync(fileURLToPath(new URL(folder, appRoot)))) return null
  const { files } = await sourceFiles(appRoot, folder, true)
  return {
    total: files.length,
    pending: files.filter((file) => !migrated.has(file.name)).length,
  }
}

export function describeMigrations(progress: MigrationProgress | null) {
  if (!progress) return 'n/a'
  return progress.pending === 0 ? 'all run' : `${progress.pending} of ${progress.total} pending`
}

export interface PluginRow {
  name: string
  kind: PluginDefinition['kind']
  version: string
  enabled: boolean
  sessionPolicy: string | null
  migrations: MigrationProgress | null
}

/** Licenses that name a policy no enabled plugin provides. */
export interface PolicyFallback {
  policy: string
  /** The installed plugin that provides the policy; null if none does. */
  plugin: string | null
  licenses: number
  runsUnder: string
}

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
    const { installed } = await this.app.container.make(PluginHost)
    const migrated = await this.migratedNames()

    const plugins: PluginRow[] = []
    for (const plugin of installed) {
      plugins.push({
        name: plugin.name,
        kind: plugin.kind,
        version: plugin.version,
        enabled: config.enabled.includes(plugin.name),
        sessionPolicy: plugin.sessionPolicy ?? null,
        migrations: await migrationProgress(
          this.app.appRoot,
          `plugins/${plugin.name}/database/migrations`,
          migrated
        ),
      })
    }
    const fallbacks = await this.fallbacks(installed, config)
    const defaultPlugin = installed.find(
      (plugin) => plugin.sessionPolicy === config.defaultSessionPolicy
    )

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
    if (!defaultPlugin || !config.enabled.includes(defaultPlugin.name)) {
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

  /** Names of the migrations Lucid has run, from its bookkeeping table. */
  protected async migratedNames() {
    const connection = db.getRawConnection(db.primaryConnectionName)
    const table = connection?.config.migrations?.tableName ?? 'adonis_schema'
    if (!(await db.connection().schema.hasTable(table))) return new Set<string>()
    const rows: Array<{ name: string }> = await db.from(table).select('name')
    return new Set(rows.map((row) => row.name))
  }

  /**
   * Licenses whose `session_policy` no enabled plugin provides: the session
   * engine runs them under the default policy (SessionPolicyRegistry#resolve).
   */
  protected async fallbacks(
    installed: PluginDefinition[],
    config: PluginsConfig
  ): Promise<PolicyFallback[]> {
    const rows: Array<{ session_policy: string; total: string | number }> = await db
      .from('licenses')
      .whereNotNull('session_policy')
      .select('session_policy')
      .count('* as total')
      .groupBy('session_policy')
      .orderBy('session_policy')

    const fallbacks: PolicyFallback[] = []
    for (const row of rows) {
      const plugin = installed.find((candidate) => candidate.sessionPolicy === row.session_policy)
      if (plugin && config.enabled.includes(plugin.name)) continue
      fallbacks.push({
        policy: row.session_policy,
        plugin: plugin?.name ?? null,
        licenses: Number(row.total),
        runsUnder: config.defaultSessionPolicy,
      })
    }
    return fallbacks
  }
}
