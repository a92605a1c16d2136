import type { HttpContext } from '@adonisjs/core/http'
import { ApiError } from '#exceptions/api_error'

/** Placeholder while issue 18 is built: replaced by its owner. */
export default class UsageController {
  async record(_ctx: HttpContext) {
    throw new ApiError('NOT_FOUND')
  }
  async show(_ctx: HttpContext) {
    throw new ApiError('NOT_FOUND')
  }
}
