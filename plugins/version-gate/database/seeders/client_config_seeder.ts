import app from '@adonisjs/core/services/app'
import { BaseSeeder } from '@adonisjs/lucid/seeders'
import { cliActor } from '#plugin_host/api'
import ClientConfigService from '../../client_config_service.js'

/**
 * Gives every product without a client configuration the default one, so
 * the Quick start's product has one from the first run. Runs after the
 * core's seeders; running it again adds nothing.
 */
export default class ClientConfigSeeder extends BaseSeeder {
  async run() {
    const configs = await app.container.make(ClientConfigService)
    const created = await configs.ensureForAllProducts(cliActor('version-gate seeder'))
    if (created.length > 0) {
      console.log(
        `  Client configuration created for ${created.length} product(s): ` +
          'edit versions and heartbeat settings in the panel under "Client configuration".'
      )
    }
  }
}
