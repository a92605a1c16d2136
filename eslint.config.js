import { configApp } from '@adonisjs/eslint-config'

/**
 * Plugins use the core through its plugin API only (app/plugin_host/api.ts,
 * docs/decisions/0013-plugin-api.md): what is not exported there may change
 * under them. Reaching into the app by a relative path is refused too.
 */
const corePaths = ['app', 'providers', 'start'].flatMap((folder) =>
  ['../..', '../../..', '../../../..', '../../../../..'].map((up) => `${up}/${folder}/*`)
)
const pluginImports = (allowed) => [
  'error',
  {
    patterns: [
      {
        regex: `^#(?!(${allowed.join('|')})$)`,
        message: 'A plugin imports the core only from #plugin_host/api.',
      },
      { group: corePaths, message: 'A plugin imports the core only from #plugin_host/api.' },
    ],
  },
]

export default configApp(
  {
    ignores: [
      'database/schema.ts',
      '.adonisjs/**',
      'build/**',
      'storage/**',
      'tmp/**',
      'sdk/dist/**',
    ],
  },
  {
    files: ['plugins/**/*.ts'],
    rules: { 'no-restricted-imports': pluginImports(['plugin_host/api']) },
  },
  {
    // A manifest is read before the application exists (the ace commands
    // loader, config files): it imports definePlugin from its own light
    // module, not the API, which loads models and services.
    files: ['plugins/*/plugin.ts'],
    rules: {
      'no-restricted-imports': pluginImports(['plugin_host/api', 'plugin_host/define_plugin']),
    },
  },
  {
    // A plugin's tests also use the app's test helpers.
    files: ['plugins/*/tests/**/*.ts'],
    rules: { 'no-restricted-imports': pluginImports(['plugin_host/api', 'tests/.+']) },
  },
  {
    // Tests read `(await client.get(path)).status` all the time; a
    // temporary variable for each would only add noise.
    files: ['tests/**/*.ts', 'plugins/*/tests/**/*.ts'],
    rules: { '@unicorn/no-await-expression-member': 'off' },
  }
)
