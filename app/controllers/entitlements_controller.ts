import type { HttpContext } from '@adonisjs/core/http'
import { ApiError } from '#exceptions/api_error'

/** Placeholder while issue 18 is built: replaced by its owner. */
export default class EntitlementsController {
  async check(_ctx: HttpContext) {
    throw new ApiError('NOT_FOUND')
  }
}
