import { configApp } from '@adonisjs/eslint-config'

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
    // Tests read `(await client.get(path)).status` all the time; a
    // temporary variable for each would only add noise.
    files: ['tests/**/*.ts', 'plugins/*/tests/**/*.ts'],
    rules: { '@unicorn/no-await-expression-member': 'off' },
  }
)
