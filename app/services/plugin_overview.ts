import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { sourceFiles } from '@adonisjs/lucid/utils'
import type { PluginDefinition, PluginsConfig } from '#plugin_host/define_plugin'
import PluginHost from '#plugin_host/plugin_host'
import {
  parseDefaultSessionPolicy,
  parseEnabledList,
  PluginsConfigFileError,
} from '#plugin_host/plugins_config_file'

/**
 * What `plugin:list` prints and the panel's plugins page shows: the
 * installed plugins with their state, the default session policy, and the
 * licenses whose policy falls back to it. Read-only.
 */

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

export interface PluginOverview {
  plugins: PluginRow[]
  defaultSessionPolicy: string
  /** The installed plugin that provides the default policy, if any. */
  defaultPlugin: PluginDefinition | null
  /** Whether that plugin is enabled (the app refuses to boot otherwise). */
  defaultPolicyAvailable: boolean
  fallbacks: PolicyFallback[]
}

/**
 * The installed plugins with their state: what `plugin:list` prints and
 * what the panel's plugins page shows.
 */
@inject()
export default class PluginOverviewService {
  constructor(protected host: PluginHost) {}

  /**
   * The installed plugins as `config` sees them (by default the config
   * this process booted with).
   */
  async overview(config: PluginsConfig = this.host.config): Promise<PluginOverview> {
    const installed = this.host.installed
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
          app.appRoot,
          `plugins/${plugin.name}/database/migrations`,
          migrated
        ),
      })
    }
    const defaultPlugin =
      installed.find((plugin) => plugin.sessionPolicy === config.defaultSessionPolicy) ?? null
    return {
      plugins,
      defaultSessionPolicy: config.defaultSessionPolicy,
      defaultPlugin,
      defaultPolicyAvailable: defaultPlugin !== null && config.enabled.includes(defaultPlugin.name),
      fallbacks: await this.policyFallbacks(installed, config),
    }
  }

  /**
   * What the panel's plugins page shows: the overview, each plugin with
   * what it contributes, and what `config/plugins.ts` says now (which the
   * running processes only pick up at their next start).
   */
  async page() {
    const overview = await this.overview()
    const file = await this.configFileState()
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
    return {
      plugins,
      overview,
      file,
      defaultPolicyChanges:
        file?.defaultSessionPolicy && file.defaultSessionPolicy !== overview.defaultSessionPolicy
          ? file.defaultSessionPolicy
          : null,
    }
  }

  /**
   * What `config/plugins.ts` says now. Null when the file is not there (a
   * production build carries compiled config only).
   */
  protected async configFileState() {
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
  protected async policyFallbacks(
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
