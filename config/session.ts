import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'

/**
 * Panel sessions. They live in Redis so that every web process behind a load
 * balancer sees the same login, and so that ending an admin's session is
 * immediate (a cookie store could not be revoked). The client API never
 * opens a session (see app/middleware/browser_middleware.ts).
 */
const sessionConfig = defineConfig({
  enabled: true,
  cookieName: 'keyward-session',
  clearWithBrowser: false,
  age: env.get('PANEL_SESSION_AGE', '2h'),
  cookie: {
    path: '/',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
  store: app.inTest ? 'redis' : env.get('PANEL_SESSION_STORE', 'redis'),
  stores: {
    redis: stores.redis({ connection: 'main' }),
    cookie: stores.cookie(),
  },
})

export default sessionConfig
