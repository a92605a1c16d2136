import '@adonisjs/core/types/http'

type ParamValue = string | number | bigint | boolean

export type ScannedRoutes = {
  ALL: {
    'licenses.activate': { paramsTuple?: []; params?: {} }
    'licenses.deactivate': { paramsTuple?: []; params?: {} }
    'licenses.verify': { paramsTuple?: []; params?: {} }
    'licenses.info': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'sessions.start': { paramsTuple?: []; params?: {} }
    'sessions.heartbeat': { paramsTuple?: []; params?: {} }
    'sessions.end': { paramsTuple?: []; params?: {} }
    'lease_keys.index': { paramsTuple?: []; params?: {} }
    'single_use.validate': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'single_use.activate': { paramsTuple?: []; params?: {} }
    'single_use.stats': { paramsTuple?: []; params?: {} }
    'auth.show_login': { paramsTuple?: []; params?: {} }
    'auth.login': { paramsTuple?: []; params?: {} }
    'auth.show_second_factor': { paramsTuple?: []; params?: {} }
    'auth.second_factor': { paramsTuple?: []; params?: {} }
    'auth.logout': { paramsTuple?: []; params?: {} }
    'account.show': { paramsTuple?: []; params?: {} }
    'account.update': { paramsTuple?: []; params?: {} }
    'account.switch_locale': { paramsTuple?: []; params?: {} }
    'account.change_password': { paramsTuple?: []; params?: {} }
    'account.show_two_factor': { paramsTuple?: []; params?: {} }
    'account.enable_two_factor': { paramsTuple?: []; params?: {} }
    'account.regenerate_recovery_codes': { paramsTuple?: []; params?: {} }
    'account.disable_two_factor': { paramsTuple?: []; params?: {} }
    'blocked_ips.index': { paramsTuple?: []; params?: {} }
    'blocked_ips.store': { paramsTuple?: []; params?: {} }
    'blocked_ips.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admins.index': { paramsTuple?: []; params?: {} }
    'admins.create': { paramsTuple?: []; params?: {} }
    'admins.store': { paramsTuple?: []; params?: {} }
    'admins.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admins.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admins.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admins.reset_two_factor': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'dashboard.show': { paramsTuple?: []; params?: {} }
    'dashboard.stream': { paramsTuple?: []; params?: {} }
    'dashboard.chart_js': { paramsTuple?: []; params?: {} }
    'customers.index': { paramsTuple?: []; params?: {} }
    'customers.suggest': { paramsTuple?: []; params?: {} }
    'customers.create': { paramsTuple?: []; params?: {} }
    'customers.store': { paramsTuple?: []; params?: {} }
    'customers.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'customers.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'customers.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'customers.confirm_destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'customers.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'products.index': { paramsTuple?: []; params?: {} }
    'products.create': { paramsTuple?: []; params?: {} }
    'products.store': { paramsTuple?: []; params?: {} }
    'products.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'products.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'licenses.index': { paramsTuple?: []; params?: {} }
    'licenses.export': { paramsTuple?: []; params?: {} }
    'licenses.create': { paramsTuple?: []; params?: {} }
    'licenses.store': { paramsTuple?: []; params?: {} }
    'licenses.bulk': { paramsTuple?: []; params?: {} }
    'licenses.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'licenses.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'licenses.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'licenses.quick': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'licenses.rename_device': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'device': ParamValue} }
    'licenses.deactivate_device': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'device': ParamValue} }
    'sessions.index': { paramsTuple?: []; params?: {} }
    'sessions.history': { paramsTuple?: []; params?: {} }
    'sessions.export_history': { paramsTuple?: []; params?: {} }
    'sessions.force_end': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'api_keys.index': { paramsTuple?: []; params?: {} }
    'api_keys.store': { paramsTuple?: []; params?: {} }
    'api_keys.revoke': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'audit.index': { paramsTuple?: []; params?: {} }
    'audit.export': { paramsTuple?: []; params?: {} }
    'plugins.index': { paramsTuple?: []; params?: {} }
    'version.check': { paramsTuple?: []; params?: {} }
    'version.latest': { paramsTuple?: []; params?: {} }
    'client_configs.index': { paramsTuple?: []; params?: {} }
    'client_configs.create': { paramsTuple?: []; params?: {} }
    'client_configs.store': { paramsTuple?: []; params?: {} }
    'client_configs.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'client_configs.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'client_configs.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'client_configs.legacy_index': { paramsTuple?: []; params?: {} }
    'client_configs.legacy_create': { paramsTuple?: []; params?: {} }
    'leads.index': { paramsTuple?: []; params?: {} }
    'leads.create': { paramsTuple?: []; params?: {} }
    'leads.store': { paramsTuple?: []; params?: {} }
    'leads.stats': { paramsTuple?: []; params?: {} }
    'leads.stats_json': { paramsTuple?: []; params?: {} }
    'leads.stats_script': { paramsTuple?: []; params?: {} }
    'leads.tag_styles': { paramsTuple?: []; params?: {} }
    'leads.export': { paramsTuple?: []; params?: {} }
    'leads.import_form': { paramsTuple?: []; params?: {} }
    'leads.import': { paramsTuple?: []; params?: {} }
    'leads.tags': { paramsTuple?: []; params?: {} }
    'leads.tags_store': { paramsTuple?: []; params?: {} }
    'leads.tags_update': { paramsTuple: [ParamValue]; params: {'tag': ParamValue} }
    'leads.tags_destroy': { paramsTuple: [ParamValue]; params: {'tag': ParamValue} }
    'leads.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.confirm_destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.convert': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.log_activity': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.contacts_store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.contacts_update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'contact': ParamValue} }
    'leads.contacts_destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'contact': ParamValue} }
    'leads.notes_store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.notes_history': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'leads.notes_update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'leads.notes_restore': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'leads.notes_destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
  }
  GET: {
    'licenses.info': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'lease_keys.index': { paramsTuple?: []; params?: {} }
    'single_use.validate': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'single_use.stats': { paramsTuple?: []; params?: {} }
    'auth.show_login': { paramsTuple?: []; params?: {} }
    'auth.show_second_factor': { paramsTuple?: []; params?: {} }
    'account.show': { paramsTuple?: []; params?: {} }
    'account.show_two_factor': { paramsTuple?: []; params?: {} }
    'blocked_ips.index': { paramsTuple?: []; params?: {} }
    'admins.index': { paramsTuple?: []; params?: {} }
    'admins.create': { paramsTuple?: []; params?: {} }
    'admins.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'dashboard.show': { paramsTuple?: []; params?: {} }
    'dashboard.stream': { paramsTuple?: []; params?: {} }
    'dashboard.chart_js': { paramsTuple?: []; params?: {} }
    'customers.index': { paramsTuple?: []; params?: {} }
    'customers.suggest': { paramsTuple?: []; params?: {} }
    'customers.create': { paramsTuple?: []; params?: {} }
    'customers.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'customers.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'customers.confirm_destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'products.index': { paramsTuple?: []; params?: {} }
    'products.create': { paramsTuple?: []; params?: {} }
    'products.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'licenses.index': { paramsTuple?: []; params?: {} }
    'licenses.export': { paramsTuple?: []; params?: {} }
    'licenses.create': { paramsTuple?: []; params?: {} }
    'licenses.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'licenses.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'sessions.index': { paramsTuple?: []; params?: {} }
    'sessions.history': { paramsTuple?: []; params?: {} }
    'sessions.export_history': { paramsTuple?: []; params?: {} }
    'api_keys.index': { paramsTuple?: []; params?: {} }
    'audit.index': { paramsTuple?: []; params?: {} }
    'audit.export': { paramsTuple?: []; params?: {} }
    'plugins.index': { paramsTuple?: []; params?: {} }
    'version.latest': { paramsTuple?: []; params?: {} }
    'client_configs.index': { paramsTuple?: []; params?: {} }
    'client_configs.create': { paramsTuple?: []; params?: {} }
    'client_configs.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'client_configs.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'client_configs.legacy_index': { paramsTuple?: []; params?: {} }
    'client_configs.legacy_create': { paramsTuple?: []; params?: {} }
    'leads.index': { paramsTuple?: []; params?: {} }
    'leads.create': { paramsTuple?: []; params?: {} }
    'leads.stats': { paramsTuple?: []; params?: {} }
    'leads.stats_json': { paramsTuple?: []; params?: {} }
    'leads.stats_script': { paramsTuple?: []; params?: {} }
    'leads.tag_styles': { paramsTuple?: []; params?: {} }
    'leads.export': { paramsTuple?: []; params?: {} }
    'leads.import_form': { paramsTuple?: []; params?: {} }
    'leads.tags': { paramsTuple?: []; params?: {} }
    'leads.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.confirm_destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.notes_history': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
  }
  HEAD: {
    'licenses.info': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'lease_keys.index': { paramsTuple?: []; params?: {} }
    'single_use.validate': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'single_use.stats': { paramsTuple?: []; params?: {} }
    'auth.show_login': { paramsTuple?: []; params?: {} }
    'auth.show_second_factor': { paramsTuple?: []; params?: {} }
    'account.show': { paramsTuple?: []; params?: {} }
    'account.show_two_factor': { paramsTuple?: []; params?: {} }
    'blocked_ips.index': { paramsTuple?: []; params?: {} }
    'admins.index': { paramsTuple?: []; params?: {} }
    'admins.create': { paramsTuple?: []; params?: {} }
    'admins.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'dashboard.show': { paramsTuple?: []; params?: {} }
    'dashboard.stream': { paramsTuple?: []; params?: {} }
    'dashboard.chart_js': { paramsTuple?: []; params?: {} }
    'customers.index': { paramsTuple?: []; params?: {} }
    'customers.suggest': { paramsTuple?: []; params?: {} }
    'customers.create': { paramsTuple?: []; params?: {} }
    'customers.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'customers.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'customers.confirm_destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'products.index': { paramsTuple?: []; params?: {} }
    'products.create': { paramsTuple?: []; params?: {} }
    'products.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'licenses.index': { paramsTuple?: []; params?: {} }
    'licenses.export': { paramsTuple?: []; params?: {} }
    'licenses.create': { paramsTuple?: []; params?: {} }
    'licenses.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'licenses.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'sessions.index': { paramsTuple?: []; params?: {} }
    'sessions.history': { paramsTuple?: []; params?: {} }
    'sessions.export_history': { paramsTuple?: []; params?: {} }
    'api_keys.index': { paramsTuple?: []; params?: {} }
    'audit.index': { paramsTuple?: []; params?: {} }
    'audit.export': { paramsTuple?: []; params?: {} }
    'plugins.index': { paramsTuple?: []; params?: {} }
    'version.latest': { paramsTuple?: []; params?: {} }
    'client_configs.index': { paramsTuple?: []; params?: {} }
    'client_configs.create': { paramsTuple?: []; params?: {} }
    'client_configs.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'client_configs.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'client_configs.legacy_index': { paramsTuple?: []; params?: {} }
    'client_configs.legacy_create': { paramsTuple?: []; params?: {} }
    'leads.index': { paramsTuple?: []; params?: {} }
    'leads.create': { paramsTuple?: []; params?: {} }
    'leads.stats': { paramsTuple?: []; params?: {} }
    'leads.stats_json': { paramsTuple?: []; params?: {} }
    'leads.stats_script': { paramsTuple?: []; params?: {} }
    'leads.tag_styles': { paramsTuple?: []; params?: {} }
    'leads.export': { paramsTuple?: []; params?: {} }
    'leads.import_form': { paramsTuple?: []; params?: {} }
    'leads.tags': { paramsTuple?: []; params?: {} }
    'leads.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.confirm_destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.notes_history': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
  }
  POST: {
    'licenses.activate': { paramsTuple?: []; params?: {} }
    'licenses.deactivate': { paramsTuple?: []; params?: {} }
    'licenses.verify': { paramsTuple?: []; params?: {} }
    'sessions.start': { paramsTuple?: []; params?: {} }
    'sessions.heartbeat': { paramsTuple?: []; params?: {} }
    'sessions.end': { paramsTuple?: []; params?: {} }
    'single_use.activate': { paramsTuple?: []; params?: {} }
    'auth.login': { paramsTuple?: []; params?: {} }
    'auth.second_factor': { paramsTuple?: []; params?: {} }
    'auth.logout': { paramsTuple?: []; params?: {} }
    'account.update': { paramsTuple?: []; params?: {} }
    'account.switch_locale': { paramsTuple?: []; params?: {} }
    'account.change_password': { paramsTuple?: []; params?: {} }
    'account.enable_two_factor': { paramsTuple?: []; params?: {} }
    'account.regenerate_recovery_codes': { paramsTuple?: []; params?: {} }
    'account.disable_two_factor': { paramsTuple?: []; params?: {} }
    'blocked_ips.store': { paramsTuple?: []; params?: {} }
    'blocked_ips.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admins.store': { paramsTuple?: []; params?: {} }
    'admins.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admins.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admins.reset_two_factor': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'customers.store': { paramsTuple?: []; params?: {} }
    'customers.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'customers.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'products.store': { paramsTuple?: []; params?: {} }
    'products.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'licenses.store': { paramsTuple?: []; params?: {} }
    'licenses.bulk': { paramsTuple?: []; params?: {} }
    'licenses.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'licenses.quick': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'licenses.rename_device': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'device': ParamValue} }
    'licenses.deactivate_device': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'device': ParamValue} }
    'sessions.force_end': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'api_keys.store': { paramsTuple?: []; params?: {} }
    'api_keys.revoke': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'version.check': { paramsTuple?: []; params?: {} }
    'client_configs.store': { paramsTuple?: []; params?: {} }
    'client_configs.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.store': { paramsTuple?: []; params?: {} }
    'leads.import': { paramsTuple?: []; params?: {} }
    'leads.tags_store': { paramsTuple?: []; params?: {} }
    'leads.tags_update': { paramsTuple: [ParamValue]; params: {'tag': ParamValue} }
    'leads.tags_destroy': { paramsTuple: [ParamValue]; params: {'tag': ParamValue} }
    'leads.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.convert': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.log_activity': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.contacts_store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.contacts_update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'contact': ParamValue} }
    'leads.contacts_destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'contact': ParamValue} }
    'leads.notes_store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'leads.notes_update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'leads.notes_restore': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'leads.notes_destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
  }
}
declare module '@adonisjs/core/types/http' {
  export interface RoutesList extends ScannedRoutes {}
}