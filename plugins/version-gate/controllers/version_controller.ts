import type { HttpContext } from '@adonisjs/core/http'
import db from '@adonisjs/lucid/services/db'
import { ApiError } from '#exceptions/api_error'
import { latestRelease, loadGateConfig, versionCheck } from '../gate.js'
import { versionCheckValidator, versionLatestValidator } from '../validators.js'

/**
 * The product a client asks about: by slug, or, when it names none, the
 * only product with a client configuration (a server with several needs
 * `product`).
 */
async function configFor(productSlug: string | undefined) {
  const query = db.from('version_gate_configs as c').join('products as p', 'p.id', 'c.product_id')
  if (productSlug) {
    const row = await query.where('p.slug', productSlug).select('c.product_id').first()
    if (!row) throw new ApiError('PRODUCT_NOT_FOUND')
    return (await loadGateConfig(row.product_id))!
  }
  const rows = await query.select('c.product_id').orderBy('c.product_id').limit(2)
  if (rows.length === 0) throw new ApiError('PRODUCT_NOT_FOUND')
  if (rows.length > 1) throw ApiError.invalidField('product', 'required')
  return (await loadGateConfig(rows[0].product_id))!
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
