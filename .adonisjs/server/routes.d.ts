import '@adonisjs/core/types/http'

type ParamValue = string | number | bigint | boolean

export type ScannedRoutes = {
  ALL: {
    'health.live': { paramsTuple?: []; params?: {} }
    'health.ready': { paramsTuple?: []; params?: {} }
    'metrics.show': { paramsTuple?: []; params?: {} }
    'licenses.activate': { paramsTuple?: []; params?: {} }
    'licenses.deactivate': { paramsTuple?: []; params?: {} }
    'licenses.verify': { paramsTuple?: []; params?: {} }
    'licenses.info': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'transfers.transfer': { paramsTuple?: []; params?: {} }
    'security_reports.store': { paramsTuple?: []; params?: {} }
    'entitlements.check': { paramsTuple?: []; params?: {} }
    'usage.record': { paramsTuple?: []; params?: {} }
    'usage.show': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'sessions.start': { paramsTuple?: []; params?: {} }
    'sessions.heartbeat': { paramsTuple?: []; params?: {} }
    'sessions.end': { paramsTuple?: []; params?: {} }
    'lease_keys.index': { paramsTuple?: []; params?: {} }
    'single_use.validate': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'single_use.activate': { paramsTuple?: []; params?: {} }
    'single_use.stats': { paramsTuple?: []; params?: {} }
    'admin.auth.show_login': { paramsTuple?: []; params?: {} }
    'admin.auth.login': { paramsTuple?: []; params?: {} }
    'admin.auth.show_second_factor': { paramsTuple?: []; params?: {} }
    'admin.auth.second_factor': { paramsTuple?: []; params?: {} }
    'admin.auth.logout': { paramsTuple?: []; params?: {} }
    'admin.account.show': { paramsTuple?: []; params?: {} }
    'admin.account.update': { paramsTuple?: []; params?: {} }
    'admin.account.switch_locale': { paramsTuple?: []; params?: {} }
    'admin.account.change_password': { paramsTuple?: []; params?: {} }
    'admin.account.show_two_factor': { paramsTuple?: []; params?: {} }
    'admin.account.enable_two_factor': { paramsTuple?: []; params?: {} }
    'admin.account.regenerate_recovery_codes': { paramsTuple?: []; params?: {} }
    'admin.account.disable_two_factor': { paramsTuple?: []; params?: {} }
    'admin.blocked_ips.index': { paramsTuple?: []; params?: {} }
    'admin.blocked_ips.store': { paramsTuple?: []; params?: {} }
    'admin.blocked_ips.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.admins.index': { paramsTuple?: []; params?: {} }
    'admin.admins.create': { paramsTuple?: []; params?: {} }
    'admin.admins.store': { paramsTuple?: []; params?: {} }
    'admin.admins.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.admins.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.admins.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.admins.reset_two_factor': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.dashboard.show': { paramsTuple?: []; params?: {} }
    'admin.dashboard.stream': { paramsTuple?: []; params?: {} }
    'dashboard.chart_js': { paramsTuple?: []; params?: {} }
    'admin.customers.index': { paramsTuple?: []; params?: {} }
    'admin.customers.suggest': { paramsTuple?: []; params?: {} }
    'admin.customers.create': { paramsTuple?: []; params?: {} }
    'admin.customers.store': { paramsTuple?: []; params?: {} }
    'admin.customers.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.customers.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.customers.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.customers.confirm_destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.customers.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.imports.index': { paramsTuple?: []; params?: {} }
    'admin.imports.export': { paramsTuple: [ParamValue]; params: {'kind': ParamValue} }
    'admin.imports.preview': { paramsTuple: [ParamValue]; params: {'kind': ParamValue} }
    'admin.imports.confirm': { paramsTuple: [ParamValue]; params: {'kind': ParamValue} }
    'admin.products.index': { paramsTuple?: []; params?: {} }
    'admin.products.create': { paramsTuple?: []; params?: {} }
    'admin.products.store': { paramsTuple?: []; params?: {} }
    'admin.products.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.products.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_entitlements.create': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_entitlements.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_entitlements.edit': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'entitlement': ParamValue} }
    'admin.catalogue_entitlements.update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'entitlement': ParamValue} }
    'admin.catalogue_entitlements.destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'entitlement': ParamValue} }
    'admin.catalogue_meters.create': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_meters.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_meters.edit': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'meter': ParamValue} }
    'admin.catalogue_meters.update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'meter': ParamValue} }
    'admin.catalogue_meters.destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'meter': ParamValue} }
    'admin.license_templates.create': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.license_templates.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.license_templates.edit': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'template': ParamValue} }
    'admin.license_templates.update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'template': ParamValue} }
    'admin.license_templates.destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'template': ParamValue} }
    'admin.licenses.index': { paramsTuple?: []; params?: {} }
    'admin.licenses.export': { paramsTuple?: []; params?: {} }
    'admin.licenses.create': { paramsTuple?: []; params?: {} }
    'admin.licenses.store': { paramsTuple?: []; params?: {} }
    'admin.licenses.bulk': { paramsTuple?: []; params?: {} }
    'admin.licenses.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.licenses.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.licenses.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.licenses.quick': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.licenses.rename_device': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'device': ParamValue} }
    'admin.licenses.deactivate_device': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'device': ParamValue} }
    'admin.license_entitlements.update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'entitlement': ParamValue} }
    'admin.device_transfers.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.license_usage.limit': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'meter': ParamValue} }
    'admin.license_usage.reset': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'meter': ParamValue} }
    'admin.sessions.index': { paramsTuple?: []; params?: {} }
    'admin.sessions.history': { paramsTuple?: []; params?: {} }
    'admin.sessions.export_history': { paramsTuple?: []; params?: {} }
    'admin.sessions.force_end': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.api_keys.index': { paramsTuple?: []; params?: {} }
    'admin.api_keys.store': { paramsTuple?: []; params?: {} }
    'admin.api_keys.revoke': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.audit.index': { paramsTuple?: []; params?: {} }
    'admin.audit.export': { paramsTuple?: []; params?: {} }
    'admin.plugins.index': { paramsTuple?: []; params?: {} }
    'admin.backups.index': { paramsTuple?: []; params?: {} }
    'admin.backups.status': { paramsTuple?: []; params?: {} }
    'admin.backups.store': { paramsTuple?: []; params?: {} }
    'admin.backups.download': { paramsTuple: [ParamValue]; params: {'name': ParamValue} }
    'admin.backups.confirm_restore': { paramsTuple: [ParamValue]; params: {'name': ParamValue} }
    'admin.backups.restore': { paramsTuple: [ParamValue]; params: {'name': ParamValue} }
    'admin.monitoring.show': { paramsTuple?: []; params?: {} }
    'admin.monitoring.data': { paramsTuple?: []; params?: {} }
    'admin.analytics.index': { paramsTuple?: []; params?: {} }
    'admin.analytics.figures': { paramsTuple?: []; params?: {} }
    'admin.analytics.events': { paramsTuple?: []; params?: {} }
    'admin.analytics.license': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_alerts.index': { paramsTuple?: []; params?: {} }
    'admin.security_alerts.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_alerts.acknowledge': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_alerts.resolve': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_alerts.act': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_alerts.reverse': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'action': ParamValue} }
    'admin.security_rules.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_rules.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_events.index': { paramsTuple?: []; params?: {} }
    'api.version.check': { paramsTuple?: []; params?: {} }
    'api.version.latest': { paramsTuple?: []; params?: {} }
    'admin.client_configs.index': { paramsTuple?: []; params?: {} }
    'admin.client_configs.create': { paramsTuple?: []; params?: {} }
    'admin.client_configs.store': { paramsTuple?: []; params?: {} }
    'admin.client_configs.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.client_configs.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.client_configs.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.index': { paramsTuple?: []; params?: {} }
    'admin.leads.create': { paramsTuple?: []; params?: {} }
    'admin.leads.store': { paramsTuple?: []; params?: {} }
    'admin.leads.stats': { paramsTuple?: []; params?: {} }
    'admin.leads.stats_json': { paramsTuple?: []; params?: {} }
    'admin.leads.stats_script': { paramsTuple?: []; params?: {} }
    'admin.leads.tag_styles': { paramsTuple?: []; params?: {} }
    'admin.leads.export': { paramsTuple?: []; params?: {} }
    'admin.leads.import_form': { paramsTuple?: []; params?: {} }
    'admin.leads.import': { paramsTuple?: []; params?: {} }
    'admin.leads.tags': { paramsTuple?: []; params?: {} }
    'admin.leads.tags_store': { paramsTuple?: []; params?: {} }
    'admin.leads.tags_update': { paramsTuple: [ParamValue]; params: {'tag': ParamValue} }
    'admin.leads.tags_destroy': { paramsTuple: [ParamValue]; params: {'tag': ParamValue} }
    'admin.leads.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.confirm_destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.convert': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.log_activity': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.contacts_store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.contacts_update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'contact': ParamValue} }
    'admin.leads.contacts_destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'contact': ParamValue} }
    'admin.leads.notes_store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.notes_history': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'admin.leads.notes_update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'admin.leads.notes_restore': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'admin.leads.notes_destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'admin.notifications.webhooks.index': { paramsTuple?: []; params?: {} }
    'admin.notifications.webhooks.create': { paramsTuple?: []; params?: {} }
    'admin.notifications.webhooks.store': { paramsTuple?: []; params?: {} }
    'admin.notifications.webhooks.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.webhooks.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.webhooks.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.webhooks.enable': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.webhooks.disable': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.webhooks.test': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.webhooks.rotate_secret': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.webhooks.redeliver': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'delivery': ParamValue} }
    'admin.notifications.email': { paramsTuple?: []; params?: {} }
    'admin.notifications.email_update': { paramsTuple?: []; params?: {} }
    'api.client.show': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'api.client.report': { paramsTuple?: []; params?: {} }
    'admin.resources.index': { paramsTuple?: []; params?: {} }
    'admin.resources.usage_script': { paramsTuple?: []; params?: {} }
    'admin.resources.list': { paramsTuple?: []; params?: {} }
    'admin.resources.export': { paramsTuple?: []; params?: {} }
    'admin.resources.add_form': { paramsTuple?: []; params?: {} }
    'admin.resources.add': { paramsTuple?: []; params?: {} }
    'admin.resources.retire': { paramsTuple?: []; params?: {} }
    'admin.resources.templates': { paramsTuple?: []; params?: {} }
    'admin.resources.template_update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.license': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.allocate': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.release': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.swap': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.needs': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.clear_flag': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
  }
  GET: {
    'health.live': { paramsTuple?: []; params?: {} }
    'health.ready': { paramsTuple?: []; params?: {} }
    'metrics.show': { paramsTuple?: []; params?: {} }
    'licenses.info': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'usage.show': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'lease_keys.index': { paramsTuple?: []; params?: {} }
    'single_use.validate': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'single_use.stats': { paramsTuple?: []; params?: {} }
    'admin.auth.show_login': { paramsTuple?: []; params?: {} }
    'admin.auth.show_second_factor': { paramsTuple?: []; params?: {} }
    'admin.account.show': { paramsTuple?: []; params?: {} }
    'admin.account.show_two_factor': { paramsTuple?: []; params?: {} }
    'admin.blocked_ips.index': { paramsTuple?: []; params?: {} }
    'admin.admins.index': { paramsTuple?: []; params?: {} }
    'admin.admins.create': { paramsTuple?: []; params?: {} }
    'admin.admins.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.dashboard.show': { paramsTuple?: []; params?: {} }
    'admin.dashboard.stream': { paramsTuple?: []; params?: {} }
    'dashboard.chart_js': { paramsTuple?: []; params?: {} }
    'admin.customers.index': { paramsTuple?: []; params?: {} }
    'admin.customers.suggest': { paramsTuple?: []; params?: {} }
    'admin.customers.create': { paramsTuple?: []; params?: {} }
    'admin.customers.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.customers.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.customers.confirm_destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.imports.index': { paramsTuple?: []; params?: {} }
    'admin.imports.export': { paramsTuple: [ParamValue]; params: {'kind': ParamValue} }
    'admin.products.index': { paramsTuple?: []; params?: {} }
    'admin.products.create': { paramsTuple?: []; params?: {} }
    'admin.products.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_entitlements.create': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_entitlements.edit': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'entitlement': ParamValue} }
    'admin.catalogue_meters.create': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_meters.edit': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'meter': ParamValue} }
    'admin.license_templates.create': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.license_templates.edit': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'template': ParamValue} }
    'admin.licenses.index': { paramsTuple?: []; params?: {} }
    'admin.licenses.export': { paramsTuple?: []; params?: {} }
    'admin.licenses.create': { paramsTuple?: []; params?: {} }
    'admin.licenses.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.licenses.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.sessions.index': { paramsTuple?: []; params?: {} }
    'admin.sessions.history': { paramsTuple?: []; params?: {} }
    'admin.sessions.export_history': { paramsTuple?: []; params?: {} }
    'admin.api_keys.index': { paramsTuple?: []; params?: {} }
    'admin.audit.index': { paramsTuple?: []; params?: {} }
    'admin.audit.export': { paramsTuple?: []; params?: {} }
    'admin.plugins.index': { paramsTuple?: []; params?: {} }
    'admin.backups.index': { paramsTuple?: []; params?: {} }
    'admin.backups.status': { paramsTuple?: []; params?: {} }
    'admin.backups.download': { paramsTuple: [ParamValue]; params: {'name': ParamValue} }
    'admin.backups.confirm_restore': { paramsTuple: [ParamValue]; params: {'name': ParamValue} }
    'admin.monitoring.show': { paramsTuple?: []; params?: {} }
    'admin.monitoring.data': { paramsTuple?: []; params?: {} }
    'admin.analytics.index': { paramsTuple?: []; params?: {} }
    'admin.analytics.figures': { paramsTuple?: []; params?: {} }
    'admin.analytics.events': { paramsTuple?: []; params?: {} }
    'admin.analytics.license': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_alerts.index': { paramsTuple?: []; params?: {} }
    'admin.security_alerts.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_rules.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_events.index': { paramsTuple?: []; params?: {} }
    'api.version.latest': { paramsTuple?: []; params?: {} }
    'admin.client_configs.index': { paramsTuple?: []; params?: {} }
    'admin.client_configs.create': { paramsTuple?: []; params?: {} }
    'admin.client_configs.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.client_configs.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.index': { paramsTuple?: []; params?: {} }
    'admin.leads.create': { paramsTuple?: []; params?: {} }
    'admin.leads.stats': { paramsTuple?: []; params?: {} }
    'admin.leads.stats_json': { paramsTuple?: []; params?: {} }
    'admin.leads.stats_script': { paramsTuple?: []; params?: {} }
    'admin.leads.tag_styles': { paramsTuple?: []; params?: {} }
    'admin.leads.export': { paramsTuple?: []; params?: {} }
    'admin.leads.import_form': { paramsTuple?: []; params?: {} }
    'admin.leads.tags': { paramsTuple?: []; params?: {} }
    'admin.leads.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.confirm_destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.notes_history': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'admin.notifications.webhooks.index': { paramsTuple?: []; params?: {} }
    'admin.notifications.webhooks.create': { paramsTuple?: []; params?: {} }
    'admin.notifications.webhooks.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.email': { paramsTuple?: []; params?: {} }
    'api.client.show': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'admin.resources.index': { paramsTuple?: []; params?: {} }
    'admin.resources.usage_script': { paramsTuple?: []; params?: {} }
    'admin.resources.list': { paramsTuple?: []; params?: {} }
    'admin.resources.export': { paramsTuple?: []; params?: {} }
    'admin.resources.add_form': { paramsTuple?: []; params?: {} }
    'admin.resources.templates': { paramsTuple?: []; params?: {} }
    'admin.resources.license': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
  }
  HEAD: {
    'health.live': { paramsTuple?: []; params?: {} }
    'health.ready': { paramsTuple?: []; params?: {} }
    'metrics.show': { paramsTuple?: []; params?: {} }
    'licenses.info': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'usage.show': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'lease_keys.index': { paramsTuple?: []; params?: {} }
    'single_use.validate': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'single_use.stats': { paramsTuple?: []; params?: {} }
    'admin.auth.show_login': { paramsTuple?: []; params?: {} }
    'admin.auth.show_second_factor': { paramsTuple?: []; params?: {} }
    'admin.account.show': { paramsTuple?: []; params?: {} }
    'admin.account.show_two_factor': { paramsTuple?: []; params?: {} }
    'admin.blocked_ips.index': { paramsTuple?: []; params?: {} }
    'admin.admins.index': { paramsTuple?: []; params?: {} }
    'admin.admins.create': { paramsTuple?: []; params?: {} }
    'admin.admins.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.dashboard.show': { paramsTuple?: []; params?: {} }
    'admin.dashboard.stream': { paramsTuple?: []; params?: {} }
    'dashboard.chart_js': { paramsTuple?: []; params?: {} }
    'admin.customers.index': { paramsTuple?: []; params?: {} }
    'admin.customers.suggest': { paramsTuple?: []; params?: {} }
    'admin.customers.create': { paramsTuple?: []; params?: {} }
    'admin.customers.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.customers.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.customers.confirm_destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.imports.index': { paramsTuple?: []; params?: {} }
    'admin.imports.export': { paramsTuple: [ParamValue]; params: {'kind': ParamValue} }
    'admin.products.index': { paramsTuple?: []; params?: {} }
    'admin.products.create': { paramsTuple?: []; params?: {} }
    'admin.products.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_entitlements.create': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_entitlements.edit': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'entitlement': ParamValue} }
    'admin.catalogue_meters.create': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_meters.edit': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'meter': ParamValue} }
    'admin.license_templates.create': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.license_templates.edit': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'template': ParamValue} }
    'admin.licenses.index': { paramsTuple?: []; params?: {} }
    'admin.licenses.export': { paramsTuple?: []; params?: {} }
    'admin.licenses.create': { paramsTuple?: []; params?: {} }
    'admin.licenses.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.licenses.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.sessions.index': { paramsTuple?: []; params?: {} }
    'admin.sessions.history': { paramsTuple?: []; params?: {} }
    'admin.sessions.export_history': { paramsTuple?: []; params?: {} }
    'admin.api_keys.index': { paramsTuple?: []; params?: {} }
    'admin.audit.index': { paramsTuple?: []; params?: {} }
    'admin.audit.export': { paramsTuple?: []; params?: {} }
    'admin.plugins.index': { paramsTuple?: []; params?: {} }
    'admin.backups.index': { paramsTuple?: []; params?: {} }
    'admin.backups.status': { paramsTuple?: []; params?: {} }
    'admin.backups.download': { paramsTuple: [ParamValue]; params: {'name': ParamValue} }
    'admin.backups.confirm_restore': { paramsTuple: [ParamValue]; params: {'name': ParamValue} }
    'admin.monitoring.show': { paramsTuple?: []; params?: {} }
    'admin.monitoring.data': { paramsTuple?: []; params?: {} }
    'admin.analytics.index': { paramsTuple?: []; params?: {} }
    'admin.analytics.figures': { paramsTuple?: []; params?: {} }
    'admin.analytics.events': { paramsTuple?: []; params?: {} }
    'admin.analytics.license': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_alerts.index': { paramsTuple?: []; params?: {} }
    'admin.security_alerts.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_rules.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_events.index': { paramsTuple?: []; params?: {} }
    'api.version.latest': { paramsTuple?: []; params?: {} }
    'admin.client_configs.index': { paramsTuple?: []; params?: {} }
    'admin.client_configs.create': { paramsTuple?: []; params?: {} }
    'admin.client_configs.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.client_configs.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.index': { paramsTuple?: []; params?: {} }
    'admin.leads.create': { paramsTuple?: []; params?: {} }
    'admin.leads.stats': { paramsTuple?: []; params?: {} }
    'admin.leads.stats_json': { paramsTuple?: []; params?: {} }
    'admin.leads.stats_script': { paramsTuple?: []; params?: {} }
    'admin.leads.tag_styles': { paramsTuple?: []; params?: {} }
    'admin.leads.export': { paramsTuple?: []; params?: {} }
    'admin.leads.import_form': { paramsTuple?: []; params?: {} }
    'admin.leads.tags': { paramsTuple?: []; params?: {} }
    'admin.leads.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.edit': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.confirm_destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.notes_history': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'admin.notifications.webhooks.index': { paramsTuple?: []; params?: {} }
    'admin.notifications.webhooks.create': { paramsTuple?: []; params?: {} }
    'admin.notifications.webhooks.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.email': { paramsTuple?: []; params?: {} }
    'api.client.show': { paramsTuple: [ParamValue]; params: {'license_key': ParamValue} }
    'admin.resources.index': { paramsTuple?: []; params?: {} }
    'admin.resources.usage_script': { paramsTuple?: []; params?: {} }
    'admin.resources.list': { paramsTuple?: []; params?: {} }
    'admin.resources.export': { paramsTuple?: []; params?: {} }
    'admin.resources.add_form': { paramsTuple?: []; params?: {} }
    'admin.resources.templates': { paramsTuple?: []; params?: {} }
    'admin.resources.license': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.show': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
  }
  POST: {
    'licenses.activate': { paramsTuple?: []; params?: {} }
    'licenses.deactivate': { paramsTuple?: []; params?: {} }
    'licenses.verify': { paramsTuple?: []; params?: {} }
    'transfers.transfer': { paramsTuple?: []; params?: {} }
    'security_reports.store': { paramsTuple?: []; params?: {} }
    'entitlements.check': { paramsTuple?: []; params?: {} }
    'usage.record': { paramsTuple?: []; params?: {} }
    'sessions.start': { paramsTuple?: []; params?: {} }
    'sessions.heartbeat': { paramsTuple?: []; params?: {} }
    'sessions.end': { paramsTuple?: []; params?: {} }
    'single_use.activate': { paramsTuple?: []; params?: {} }
    'admin.auth.login': { paramsTuple?: []; params?: {} }
    'admin.auth.second_factor': { paramsTuple?: []; params?: {} }
    'admin.auth.logout': { paramsTuple?: []; params?: {} }
    'admin.account.update': { paramsTuple?: []; params?: {} }
    'admin.account.switch_locale': { paramsTuple?: []; params?: {} }
    'admin.account.change_password': { paramsTuple?: []; params?: {} }
    'admin.account.enable_two_factor': { paramsTuple?: []; params?: {} }
    'admin.account.regenerate_recovery_codes': { paramsTuple?: []; params?: {} }
    'admin.account.disable_two_factor': { paramsTuple?: []; params?: {} }
    'admin.blocked_ips.store': { paramsTuple?: []; params?: {} }
    'admin.blocked_ips.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.admins.store': { paramsTuple?: []; params?: {} }
    'admin.admins.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.admins.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.admins.reset_two_factor': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.customers.store': { paramsTuple?: []; params?: {} }
    'admin.customers.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.customers.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.imports.preview': { paramsTuple: [ParamValue]; params: {'kind': ParamValue} }
    'admin.imports.confirm': { paramsTuple: [ParamValue]; params: {'kind': ParamValue} }
    'admin.products.store': { paramsTuple?: []; params?: {} }
    'admin.products.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_entitlements.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_entitlements.update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'entitlement': ParamValue} }
    'admin.catalogue_entitlements.destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'entitlement': ParamValue} }
    'admin.catalogue_meters.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.catalogue_meters.update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'meter': ParamValue} }
    'admin.catalogue_meters.destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'meter': ParamValue} }
    'admin.license_templates.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.license_templates.update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'template': ParamValue} }
    'admin.license_templates.destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'template': ParamValue} }
    'admin.licenses.store': { paramsTuple?: []; params?: {} }
    'admin.licenses.bulk': { paramsTuple?: []; params?: {} }
    'admin.licenses.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.licenses.quick': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.licenses.rename_device': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'device': ParamValue} }
    'admin.licenses.deactivate_device': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'device': ParamValue} }
    'admin.license_entitlements.update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'entitlement': ParamValue} }
    'admin.device_transfers.store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.license_usage.limit': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'meter': ParamValue} }
    'admin.license_usage.reset': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'meter': ParamValue} }
    'admin.sessions.force_end': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.api_keys.store': { paramsTuple?: []; params?: {} }
    'admin.api_keys.revoke': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.backups.store': { paramsTuple?: []; params?: {} }
    'admin.backups.restore': { paramsTuple: [ParamValue]; params: {'name': ParamValue} }
    'admin.security_alerts.acknowledge': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_alerts.resolve': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_alerts.act': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.security_alerts.reverse': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'action': ParamValue} }
    'admin.security_rules.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'api.version.check': { paramsTuple?: []; params?: {} }
    'admin.client_configs.store': { paramsTuple?: []; params?: {} }
    'admin.client_configs.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.store': { paramsTuple?: []; params?: {} }
    'admin.leads.import': { paramsTuple?: []; params?: {} }
    'admin.leads.tags_store': { paramsTuple?: []; params?: {} }
    'admin.leads.tags_update': { paramsTuple: [ParamValue]; params: {'tag': ParamValue} }
    'admin.leads.tags_destroy': { paramsTuple: [ParamValue]; params: {'tag': ParamValue} }
    'admin.leads.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.convert': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.log_activity': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.contacts_store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.contacts_update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'contact': ParamValue} }
    'admin.leads.contacts_destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'contact': ParamValue} }
    'admin.leads.notes_store': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.leads.notes_update': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'admin.leads.notes_restore': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'admin.leads.notes_destroy': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'note': ParamValue} }
    'admin.notifications.webhooks.store': { paramsTuple?: []; params?: {} }
    'admin.notifications.webhooks.update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.webhooks.destroy': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.webhooks.enable': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.webhooks.disable': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.webhooks.test': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.webhooks.rotate_secret': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.notifications.webhooks.redeliver': { paramsTuple: [ParamValue,ParamValue]; params: {'id': ParamValue,'delivery': ParamValue} }
    'admin.notifications.email_update': { paramsTuple?: []; params?: {} }
    'api.client.report': { paramsTuple?: []; params?: {} }
    'admin.resources.add': { paramsTuple?: []; params?: {} }
    'admin.resources.retire': { paramsTuple?: []; params?: {} }
    'admin.resources.template_update': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.allocate': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.release': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.swap': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.needs': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
    'admin.resources.clear_flag': { paramsTuple: [ParamValue]; params: {'id': ParamValue} }
  }
  OPTIONS: {
  }
  PUT: {
  }
  PATCH: {
  }
  DELETE: {
  }
}
declare module '@adonisjs/core/types/http' {
  export interface RoutesList extends ScannedRoutes {}
}