import { configApp } from '@adonisjs/eslint-config'

export default configApp({
  ignores: ['database/schema.ts', '.adonisjs/**', 'build/**', 'storage/**', 'tmp/**'],
})
