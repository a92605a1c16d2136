import PluginToggleCommand from '#plugin_host/plugin_toggle_command'

export default class PluginEnable extends PluginToggleCommand {
  static commandName = 'plugin:enable'
  static description = 'Enable an installed plugin (adds it to config/plugins.ts)'
  protected action = 'enable' as const
}
