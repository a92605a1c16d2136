import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import SessionMiddleware from '@adonisjs/session/session_middleware'
import { isClientApiRequest } from '#support/client_api'

/**
 * Opens a session for every request except the client API's. The session
 * middleware writes its store and cookie on every response; client programs
 * authenticate with API keys, and a heartbeat must not pay a Redis write.
 */
@inject()
export default class PanelSessionMiddleware {
  constructor(protected sessions: SessionMiddleware<any>) {}

  handle(ctx: HttpContext, next: NextFn) {
    if (isClientApiRequest(ctx)) return next()
    return this.sessions.handle(ctx, next)
  }
}
