import app from '@adonisjs/core/services/app'
import VersionGate from '../gate.js'

/**
 * The version gate of this process (the plugin's singleton), for code
 * outside the container's reach, like `@adonisjs/lock/services/main`.
 */
let gate: VersionGate

await app.booted(async () => {
  gate = await app.container.make(VersionGate)
})

export { gate as default }
