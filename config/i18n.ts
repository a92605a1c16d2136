import { fileURLToPath } from 'node:url'
import app from '@adonisjs/core/services/app'
import { defineConfig, formatters, loaders } from '@adonisjs/i18n'
import { pluginPaths } from '#plugin_host/plugin_host'

/**
 * Client API messages and validation messages in English and German, picked
 * from `Accept-Language`. Translations live in resources/lang/<locale>/, and
 * each plugin's in plugins/<name>/lang/<locale>/.
 */
const i18nConfig = defineConfig({
  defaultLocale: 'en',
  supportedLocales: ['en', 'de'],
  formatter: formatters.icu(),
  loaders: [
    loaders.fs({ location: app.languageFilesPath() }),
    ...pluginPaths(fileURLToPath(app.appRoot), 'lang').map((path) =>
      loaders.fs({ location: app.makePath(path) })
    ),
  ],
})

export default i18nConfig
