import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { ApiError } from '#exceptions/api_error'
import { isClientApiRequest, MAX_CLIENT_API_BODY } from '#support/client_api'

/**
 * Refuses an oversized client API body before anything reads it, whatever
 * its content type (the body parser's own limits only cover what it parses).
 */
export default class ApiBodyLimitMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    if (isClientApiRequest(ctx)) {
      const length = Number(ctx.request.header('content-length') ?? 0)
      if (length > MAX_CLIENT_API_BODY) throw new ApiError('PAYLOAD_TOO_LARGE')
    }
    return next()
  }
}
