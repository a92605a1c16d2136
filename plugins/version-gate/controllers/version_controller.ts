import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import VersionGate, { latestRelease, versionCheck } from '../gate.js'
import { versionCheckValidator, versionLatestValidator } from '../validators.js'

/**
 * Versions of the client API (API.md, Versions).
 */
@inject()
export default class VersionController {
  constructor(protected gate: VersionGate) {}

  async check({ request }: HttpContext) {
    const payload = await request.validateUsing(versionCheckValidator)
    return versionCheck(await this.gate.configFor(payload.product), payload.version)
  }

  async latest({ request }: HttpContext) {
    const payload = await request.validateUsing(versionLatestValidator)
    return latestRelease(await this.gate.configFor(payload.product))
  }
}
