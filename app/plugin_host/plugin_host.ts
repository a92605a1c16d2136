import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { HttpRouterService } from '@adonisjs/core/types'
import { pluginRouter, type PluginRouteGuards } from './plugin_router.js'
import {
  loadDefault,
  type JobDefinition,
  type NavItem,
  type PluginDefinition,
  type PluginsConfig,
} from './define_plugin.js'

export class UnknownPluginError extends Error {
  constructor(
    readonly pluginName: string,
    installed: string[]
  ) {
    super(
      `Unknown plugin "${pluginName}". Installed plugins: ${installed.join(', ') || 'none'} ` +
        `(folders under plugins/).`
    )
  }
}

/**
 * The folders under `plugins/` that hold a plugin declaration, sorted by
 * name. Shared by discovery and by `config/database.ts`, which needs the
 * migration folders before anything can be imported.
 */
export function pluginFolders(pluginsRoot: string): string[] {
  if (!existsSync(pluginsRoot)) return []
  return readdirSync(pluginsRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .filter((entry) =>
      ['plugin.ts', 'plugin.js'].some((file) => existsSync(join(pluginsRoot, entry.name, file)))
    )
    .map((entry) => entry.name)
    .sort()
}

/**
 * A folder of every installed plugin that has it, relative to the app root,
 * in plugin-name order. Config files use it for what must be known before
 * anything is imported: migrations, seeders, translations.
 */
export function pluginPaths(appRoot: string, folder: string): string[] {
  return pluginFolders(join(appRoot, 'plugins'))
    .map((name) => `plugins/${name}/${folder}`)
    .filter((path) => existsSync(join(appRoot, path)))
}

/**
 * Migration folders of every installed plugin, in the order `migration:run`
 * runs them (after the core's).
 */
export function pluginMigrationPaths(appRoot: string): string[] {
  return pluginPaths(appRoot, 'database/migrations')
}

const discovered = new Map<string, Promise<PluginDefinition[]>>()

/**
 * Every installed plugin's manifest (`plugin.ts`), imported once per
 * process: this is the one place that reads them. The provider, the ace
 * commands loader, `plugin:enable`/`plugin:disable` and the config files all
 * ask here. A folder whose declared name differs from its folder name is
 * refused: the name is what config and migrations refer to.
 */
export function discoverPlugins(pluginsRoot: string): Promise<PluginDefinition[]> {
  let plugins = discovered.get(pluginsRoot)
  if (!plugins) {
    plugins = importManifests(pluginsRoot)
    discovered.set(pluginsRoot, plugins)
    // A failed import is not remembered: the next caller sees the error too.
    plugins.catch(() => discovered.delete(pluginsRoot))
  }
  return plugins
}

/** The manifests of the plugins named in `enabled` (a config's list), in that order; unknown names are skipped. */
export async function enabledPlugins(pluginsRoot: string, enabled: string[]) {
  const plugins = await discoverPlugins(pluginsRoot)
  const installed = new Map(plugins.map((plugin) => [plugin.name, plugin]))
  return enabled.flatMap((name) => installed.get(name) ?? [])
}

async function importManifests(pluginsRoot: string) {
  const plugins: PluginDefinition[] = []
  for (const folder of pluginFolders(pluginsRoot)) {
    const module = await import(pathToFileURL(join(pluginsRoot, folder, 'plugin.js')).href)
    const definition = module.default as PluginDefinition
    if (definition?.name !== folder) {
      throw new Error(
        `plugins/${folder}/plugin.ts must export definePlugin({ name: '${folder}', ... }) as default`
      )
    }
    plugins.push(definition)
  }
  return plugins
}

export type ScheduledJob = JobDefinition & { plugin: string | null }

/**
 * Knows the installed plugins and which of them are enabled, and hands the
 * enabled ones' contributions (routes, navigation, jobs, commands) to
 * whoever mounts them. Nothing of a disabled plugin is ever loaded.
 */
export default class PluginHost {
  readonly #byName: Map<string, PluginDefinition>

  constructor(
    readonly installed: PluginDefinition[],
    readonly config: PluginsConfig
  ) {
    this.#byName = new Map(installed.map((plugin) => [plugin.name, plugin]))
  }

  /**
   * @throws UnknownPluginError when the config names a plugin that is not
   * installed.
   */
  assertConfigValid() {
    for (const name of this.config.enabled) this.get(name)
  }

  get(name: string): PluginDefinition {
    const plugin = this.#byName.get(name)
    if (!plugin) throw new UnknownPluginError(name, [...this.#byName.keys()])
    return plugin
  }

  isEnabled(name: string) {
    return this.config.enabled.includes(name)
  }

  /** Enabled plugins, in the order the config lists them. */
  enabled(): PluginDefinition[] {
    return this.config.enabled.map((name) => this.get(name))
  }

  /** The installed plugin that provides a session policy, if any. */
  pluginForPolicy(policyName: string) {
    return this.installed.find((plugin) => plugin.sessionPolicy === policyName)
  }

  readonly #configs = new Map<string, unknown>()

  /**
   * Runs every enabled plugin's `defineConfig` on its settings, so that a
   * wrong setting stops the boot.
   * @throws the plugin's own message, prefixed with where the settings are.
   */
  resolveConfigs() {
    for (const plugin of this.enabled()) {
      if (plugin.defineConfig) this.configOf(plugin.name)
    }
  }

  /**
   * An enabled plugin's settings as its `defineConfig` returned them, e.g.
   * `host.configOf<typeof defineConfig>('version-gate')`; resolved once.
   */
  configOf<Define extends (settings: Record<string, unknown>) => unknown>(
    pluginName: string
  ): ReturnType<Define> {
    if (!this.#configs.has(pluginName)) {
      const { defineConfig } = this.get(pluginName)
      if (!defineConfig) throw new Error(`Plugin "${pluginName}" has no defineConfig`)
      try {
        this.#configs.set(pluginName, defineConfig(this.config.settings[pluginName] ?? {}))
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error)
        throw new Error(`config/plugins.ts, settings['${pluginName}']: ${reason}`)
      }
    }
    return this.#configs.get(pluginName) as ReturnType<Define>
  }

  /**
   * Mounts the enabled plugins' routes: panel pages under `/admin` behind
   * `guards.panel`, client calls under `/api` (see PluginRouter).
   */
  async mountRoutes(router: HttpRouterService, guards: PluginRouteGuards) {
    const routes = pluginRouter(router, guards)
    for (const plugin of this.enabled()) {
      if (!plugin.routes) continue
      const define = await loadDefault(plugin.routes)
      define(routes)
    }
  }

  /** Mounts each enabled plugin's views as the Edge disk `<plugin>::`. */
  mountViews(edge: { mount(diskName: string, dirPath: string): unknown }) {
    for (const plugin of this.enabled()) {
      if (plugin.views) edge.mount(plugin.name, fileURLToPath(plugin.views))
    }
  }

  navigation(): Array<NavItem & { plugin: string }> {
    return this.enabled().flatMap((plugin) =>
      (plugin.nav ?? []).map((item) => ({ ...item, plugin: plugin.name }))
    )
  }

  jobs(): ScheduledJob[] {
    return this.enabled().flatMap((plugin) =>
      (plugin.jobs ?? []).map((job) => ({ ...job, plugin: plugin.name }))
    )
  }

  async commands() {
    const commands = []
    for (const plugin of this.enabled()) {
      for (const load of plugin.commands ?? []) commands.push(await loadDefault(load))
    }
    return commands
  }
}
