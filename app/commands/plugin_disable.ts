import PluginToggleCommand from '#plugin_host/plugin_toggle_command'

export default class PluginDisable extends PluginToggleCommand {
  static commandName = 'plugin:disable'
  static description = 'Disable a plugin (removes it from config/plugins.ts; its data stays)'
  protected action = 'disable' as const
}
