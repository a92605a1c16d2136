import env from '#start/env'
import app from '@adonisjs/core/services/app'
import { defineConfig } from '@adonisjs/core/http'
import proxyAddr from 'proxy-addr'

/**
 * Used to sign cookies and by the encryption module. Losing or changing it
 * invalidates encrypted data, so production servers must keep it stable.
 */
export const appKey = env.get('APP_KEY')

const port = env.get('PORT', 3333)
export const appUrl = env.get('APP_URL', `http://${env.get('HOST', 'localhost')}:${port}`)

/**
 * `TRUST_PROXY` lists the proxies whose X-Forwarded-For we believe (for
 * example `loopback` or `10.0.0.0/8`). Without it the client IP is the socket
 * address, so a client cannot dodge the per-IP rate limit with a header.
 */
const trustedProxies = env.get('TRUST_PROXY', '')

export const http = defineConfig({
  generateRequestId: true,
  allowMethodSpoofing: false,
  useAsyncLocalStorage: false,
  trustProxy: trustedProxies
    ? proxyAddr.compile(trustedProxies.split(',').map((entry) => entry.trim()))
    : () => false,
  cookie: {
    domain: '',
    path: '/',
    maxAge: '2h',
    httpOnly: true,
    secure: app.inProduction,
    sameSite: 'lax',
  },
})
