import app from '@adonisjs/core/services/app'
import { cliActor } from '#plugin_host/api'
import { createProduct } from '#tests/support/fixtures'
import ClientConfigService, { type ClientConfigFields } from '../client_config_service.js'
import gate from '../services/main.js'

/**
 * A product with a client configuration: the defaults, changed by
 * `overrides`.
 */
export async function configuredProduct(overrides: Partial<ClientConfigFields> = {}) {
  const product = await createProduct()
  const configs = await app.container.make(ClientConfigService)
  const fields = { ...configs.defaultsFor(product), ...overrides }
  const { id } = await configs.create(product.id, fields, cliActor('tests'))
  return { product, configId: id, fields }
}

/** Changes a configuration as the panel does, cache included. */
export async function reconfigure(
  configured: { product: { id: number }; configId: number; fields: ClientConfigFields },
  changes: Partial<ClientConfigFields>
) {
  configured.fields = { ...configured.fields, ...changes }
  const configs = await app.container.make(ClientConfigService)
  await configs.update(configured.configId, configured.fields, cliActor('tests'))
  gate.forget(configured.product.id)
  return configured
}
