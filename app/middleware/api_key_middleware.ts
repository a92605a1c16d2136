import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import ApiKeyService from '#services/api_key_service'
import type { AuthenticatedApiKey } from '#services/api_key_cache'
import { ApiError } from '#exceptions/api_error'
import { isClientApiRequest } from '#support/client_api'

/**
 * Every `/api` request carries `X-API-Key`. A missing, malformed, unknown or
 * revoked key gets the same 401, so the answer reveals nothing about keys.
 * It runs before the body is parsed or a route matched: without a key, a
 * client learns nothing else about the API.
 */
@inject()
export default class ApiKeyMiddleware {
  constructor(protected apiKeys: ApiKeyService) {}

  async handle(ctx: HttpContext, next: NextFn) {
    if (!isClientApiRequest(ctx)) return next()
    const apiKey = await this.apiKeys.authenticate(ctx.request.header('x-api-key'))
    if (!apiKey) throw new ApiError('INVALID_API_KEY')
    ctx.apiKey = apiKey
    return next()
  }
}

declare module '@adonisjs/core/http' {
  export interface HttpContext {
    apiKey: AuthenticatedApiKey
  }
}
