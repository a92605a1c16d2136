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
  /**
   * Multipart bodies are parsed only where a route asks for it (none yet):
   * the client API speaks JSON, and an upload should never be written to
   * disk on a path that does not expect one.
   */
  multipart: {
    autoProcess: false,
    convertEmptyStringsToNull: true,
    processManually: [],
    limit: '20mb',
    types: ['multipart/form-data'],
  },
})

export default bodyParserConfig
