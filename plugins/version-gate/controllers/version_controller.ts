import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { ApiError } from '#exceptions/api_error'
import { gateConfigOf, latestRelease, versionCheck } from '../gate.js'
import { CONFIG_FIELDS } from '../client_config_service.js'
import { versionCheckValidator, versionLatestValidator } from '../validators.js'

/**
 * The product a client asks about: by slug, or, when it names none, the
 * only product with a client configuration (a server with several needs
 * `product`).
 */
async function configFor(productSlug: string | undefined) {
  const query = db
    .from('version_gate_configs as c')
    .join('products as p', 'p.id', 'c.product_id')
    .select(CONFIG_FIELDS.map((field) => `c.${field}`))
  if (productSlug) {
    const row = await query.where('p.slug', productSlug).first()
    if (!row) throw new ApiError('PRODUCT_NOT_FOUND')
    return gateConfigOf(row)
  }
  const rows = await query.orderBy('c.product_id').limit(2)
  if (rows.length === 0) throw new ApiError('PRODUCT_NOT_FOUND')
  if (rows.length > 1) throw ApiError.invalidField('product', 'required')
  return gateConfigOf(rows[0])
}

/**
 * Versions of the client API (API.md, Versions).
 */
export default class VersionController {
  async check({ request }: HttpContext) {
    const payload = await request.validateUsing(versionCheckValidator)
    return versionCheck(await configFor(payload.product), payload.version)
  }

  async latest({ request }: HttpContext) {
    const payload = await request.validateUsing(versionLatestValidator)
    return latestRelease(await configFor(payload.product))
  }
}
