import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/core/bodyparser'
import { MAX_CLIENT_API_BODY } from '#support/client_api'
import pluginsConfig from '#config/plugins'
import { enabledPlugins } from '#plugin_host/plugin_host'

/**
 * Route patterns that take file uploads: the core's CSV import check
 * (start/routes/panel_imports.ts) and the ones enabled plugins declare
 * (`uploadRoutes`); a disabled plugin's routes are not mounted at all.
 */
const enabled = await enabledPlugins(app.makePath('plugins'), pluginsConfig.enabled)
const uploadRoutes = [
  '/admin/imports/:kind/check',
  ...enabled.flatMap((plugin) => plugin.uploadRoutes ?? []),
]

/**
 * Parsed bodies share the client API's 64 KiB limit (API.md); this catches
 * chunked bodies that carry no Content-Length for the API gate to check.
 */
const bodyParserConfig = defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  form: {
    convertEmptyStringsToNull: true,
    limit: MAX_CLIENT_API_BODY,
    types: ['application/x-www-form-urlencoded'],
  },
  json: {
    convertEmptyStringsToNull: false,
    limit: MAX_CLIENT_API_BODY,
    strict: false,
    types: ['application/json', 'application/json-patch+json', 'application/vnd.api+json'],
  },
  /**
   * Multipart bodies are parsed only on the routes that take uploads: the
   * client API speaks JSON, and an upload should never be written to disk on
   * a path that does not expect one.
   */
  multipart: {
    autoProcess: uploadRoutes,
    convertEmptyStringsToNull: true,
    processManually: [],
    limit: '10mb',
    types: ['multipart/form-data'],
  },
})

export default bodyParserConfig
