import { cliActor } from '#support/actor'
import { createProduct } from '#tests/support/fixtures'
import ClientConfigService, { type ClientConfigFields } from '../client_config_service.js'
import gate from '../services/main.js'

/**
 * A product with a client configuration: the defaults, changed by
 * `overrides`.
 */
export async function configuredProduct(overrides: Partial<ClientConfigFields> = {}) {
  const product = await createProduct()
  const fields = { ...ClientConfigService.defaultsFor(product), ...overrides }
  const { id } = await ClientConfigService.create(product.id, fields, cliActor('tests'))
  return { product, configId: id, fields }
}

/** Changes a configuration as the panel does, cache included. */
export async function reconfigure(
  configured: { product: { id: number }; configId: number; fields: ClientConfigFields },
  changes: Partial<ClientConfigFields>
) {
  configured.fields = { ...configured.fields, ...changes }
  await ClientConfigService.update(configured.configId, configured.fields, cliActor('tests'))
  gate.forget(configured.product.id)
  return configured
}
