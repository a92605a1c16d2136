import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig, stores } from '@adonisjs/session'
import { anonymousInCookie } from '#support/split_session_store'

/**
 * Panel sessions. A logged-in admin's session lives in Redis, so that every
 * web process behind a load balancer sees the same login and ending it is
 * immediate (a cookie could not be revoked). A visitor's session before
 * login (a CSRF secret, flash messages) lives in an encrypted cookie, so
 * anonymous page views store nothing on the server. The client API and the
 * health check never open a session (app/support/browser_requests.ts).
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
    redis: anonymousInCookie(stores.redis({ connection: 'main' })),
    cookie: stores.cookie(),
  },
})

export default sessionConfig
