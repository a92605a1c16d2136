import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ApiError, assertUsableStatus, Clock, License, type Actor } from '#plugin_host/api'
import ResourceAllocator from '../services/allocator.js'
import { normalizeValue } from '../services/resource_values.js'
import PoolsSettings from '../services/settings.js'
import { licenseKeyParamValidator, reportValidator } from '../validators.js'

/**
 * The client API of resource pools (docs/api.md, Resources): a license's
 * resources alone, and a client's report of one that does not work.
 */
@inject()
export default class ClientController {
  constructor(
    protected allocator: ResourceAllocator,
    protected settings: PoolsSettings,
    protected clock: Clock
  ) {}

  /** The license by its key, usable now. */
  protected async usableLicense(key: string) {
    const license = await License.findBy('key', key)
    if (!license) throw new ApiError('LICENSE_NOT_FOUND')
    assertUsableStatus(license.statusAt(this.clock.now()))
    return license
  }

  async show(ctx: HttpContext) {
    const { license_key: key } = await licenseKeyParamValidator.validate(ctx.params)
    const license = await this.usableLicense(key)
    return { license_key: license.key, resources: await this.allocator.clientView(license.id) }
  }

  async report(ctx: HttpContext) {
    const input = await ctx.request.validateUsing(reportValidator)
    if (!this.settings.typeOf(input.type)) throw ApiError.invalidField('type', 'resource_type')
    const license = await this.usableLicense(input.license_key)
    // The client may spell it as the admin did (upper case, an IDN): compare normalized.
    const normalized = normalizeValue(input.type, input.value, this.settings.config)
    if ('problem' in normalized || normalized.values.length !== 1) {
      throw ApiError.invalidField('value', 'resource_value')
    }
    const actor: Actor = {
      type: 'api_key',
      id: ctx.apiKey.id,
      label: ctx.apiKey.name,
      ip: ctx.request.ip(),
    }
    const outcome = await this.allocator.report(
      license.id,
      input.type,
      normalized.values[0],
      input.reason ?? null,
      actor
    )
    if (!outcome) throw new ApiError('RESOURCE_NOT_FOUND')
    return {
      flagged: true,
      replaced: outcome.replaced,
      replacement: outcome.replacement,
      resources: outcome.resources,
    }
  }
}
