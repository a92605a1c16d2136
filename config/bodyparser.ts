import { defineConfig } from '@adonisjs/core/bodyparser'

/**
 * The client API accepts JSON bodies up to 64 KiB (API.md); larger bodies are
 * refused with 413 PAYLOAD_TOO_LARGE before any handler runs.
 */
export const maxJsonBody = '64kb'

const bodyParserConfig = defineConfig({
  allowedMethods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  form: {
    convertEmptyStringsToNull: true,
    limit: maxJsonBody,
    types: ['application/x-www-form-urlencoded'],
  },
  json: {
    convertEmptyStringsToNull: false,
    limit: maxJsonBody,
    strict: false,
    types: ['application/json', 'application/json-patch+json', 'application/vnd.api+json'],
  },
  multipart: {
    autoProcess: true,
    convertEmptyStringsToNull: true,
    processManually: [],
    limit: '20mb',
    types: ['multipart/form-data'],
  },
})

export default bodyParserConfig
