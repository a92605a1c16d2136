import { configProvider } from '@adonisjs/core'
import { stores } from '@adonisjs/session'
import type { ConfigProvider } from '@adonisjs/core/types'
import type { HttpContext } from '@adonisjs/core/http'
import type {
  SessionConfig,
  SessionData,
  SessionStoreContract,
  SessionStoreFactory,
} from '@adonisjs/session/types'

/**
 * The session keys of a visitor nobody knows yet: Shield's CSRF secret, flash
 * messages and the page to return to after login. A session with any other
 * key (the guard's `auth_web`, a login waiting for its second factor) says
 * who someone is and lives on the server.
 */
const ANONYMOUS_KEYS = new Set(['csrf-secret', '__flash__', 'redirect'])

export function isAnonymousSession(values: SessionData) {
  return Object.keys(values).every((key) => ANONYMOUS_KEYS.has(key))
}

type Place = 'cookie' | 'server'

/**
 * A session store in two places. An anonymous session (someone on the login
 * form) lives in an encrypted, signed cookie, so a visitor costs the server
 * nothing: before, every anonymous page view stored a session in Redis for
 * the session's whole age, and anyone could fill Redis without logging in.
 * From the moment a session identifies an admin it lives on the server
 * (Redis), where logging out or deleting an admin ends it for good; the
 * cookie is then cleared.
 */
export class SplitSessionStore implements SessionStoreContract {
  /** Where each session id read during this request came from. */
  #places = new Map<string, Place>()

  constructor(
    protected ctx: HttpContext,
    protected config: SessionConfig,
    protected server: SessionStoreContract,
    protected cookie: SessionStoreContract
  ) {}

  async read(sessionId: string) {
    const anonymous = await this.cookie.read(sessionId)
    if (anonymous) {
      this.#places.set(sessionId, 'cookie')
      return anonymous
    }
    // A session id the browser did not send is new: nothing is stored for it anywhere.
    if (this.ctx.request.cookie(this.config.cookieName) !== sessionId) return null
    this.#places.set(sessionId, 'server')
    return this.server.read(sessionId)
  }

  async write(sessionId: string, values: SessionData) {
    if (isAnonymousSession(values)) {
      await this.cookie.write(sessionId, values)
      if (this.#places.get(sessionId) === 'server') await this.server.destroy(sessionId)
    } else {
      await this.server.write(sessionId, values)
      if (this.#places.get(sessionId) === 'cookie') await this.cookie.destroy(sessionId)
    }
  }

  async destroy(sessionId: string) {
    await this.cookie.destroy(sessionId)
    if (this.#places.get(sessionId) !== 'cookie') await this.server.destroy(sessionId)
  }

  async touch(sessionId: string) {
    const place = this.#places.get(sessionId)
    if (place === 'cookie') await this.cookie.touch(sessionId)
    else if (place === 'server') await this.server.touch(sessionId)
  }
}

/**
 * A session store (for `config/session.ts`) that keeps anonymous sessions in
 * a cookie and the others in `serverSide`.
 */
export function anonymousInCookie(
  serverSide: ConfigProvider<SessionStoreFactory>
): ConfigProvider<SessionStoreFactory> {
  return configProvider.create(async (app) => {
    const server = await serverSide.resolver(app)
    const cookie = await stores.cookie().resolver(app)
    return (ctx, config) =>
      new SplitSessionStore(ctx, config, server(ctx, config), cookie(ctx, config))
  })
}
