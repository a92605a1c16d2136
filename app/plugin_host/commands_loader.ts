import { fileURLToPath } from 'node:url'
import type { BaseCommand } from '@adonisjs/core/ace'
import app from '@adonisjs/core/services/app'
import type { CommandMetaData } from '@adonisjs/core/types/ace'
import { loadDefault, type PluginsConfig } from './define_plugin.js'
import { enabledPlugins } from './plugin_host.js'

/**
 * An ace commands loader (listed in adonisrc.ts `commands`) for the enabled
 * plugins' commands. Ace runs loaders before the app boots, and most
 * commands never boot it, so this reads `config/plugins.ts` itself and asks
 * `enabledPlugins` (not the plugin host, which only exists once the app has
 * booted).
 */

type CommandClass = typeof BaseCommand

/**
 * The commands of the plugins in `enabled`, in that order. Names that are
 * not installed are skipped: the app's boot reports them, and
 * `plugin:disable` must stay runnable to remove them.
 */
export async function loadPluginCommands(root: string, enabled: string[]): Promise<CommandClass[]> {
  const commands: CommandClass[] = []
  for (const plugin of await enabledPlugins(root, enabled)) {
    for (const load of plugin.commands ?? []) commands.push(await loadDefault(load))
  }
  return commands
}

/**
 * The app service is set before ace runs its loaders; the fallback serves
 * an importer outside an app (the file sits in app/plugin_host/).
 */
function pluginsRoot() {
  return app ? app.makePath('plugins') : fileURLToPath(new URL('../../plugins/', import.meta.url))
}

let loaded: Promise<CommandClass[]> | undefined

/**
 * Loaded once per process. A broken plugin or config must not take every
 * ace command down with it (plugin:disable is how one repairs it), so the
 * failure is reported and the plugins' commands are left out.
 */
function enabledPluginCommands() {
  loaded ??= (async () => {
    try {
      const { default: config } = (await import('#config/plugins')) as { default: PluginsConfig }
      return await loadPluginCommands(pluginsRoot(), config.enabled)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      process.stderr.write(`Plugin commands are not available: ${reason}\n`)
      return []
    }
  })()
  return loaded
}

export async function getMetaData(): Promise<CommandMetaData[]> {
  const commands = await enabledPluginCommands()
  return commands.map((command) => command.serialize())
}

export async function getCommand(metaData: CommandMetaData): Promise<CommandClass | null> {
  const commands = await enabledPluginCommands()
  return commands.find((command) => command.commandName === metaData.commandName) ?? null
}
