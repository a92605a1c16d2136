import { defineConfig } from '@adonisjs/shield'

/**
 * Browser protections. The security headers (CSP, X-Frame-Options, nosniff,
 * HSTS over HTTPS) go on every response of the app
 * (app/middleware/security_headers_middleware.ts); the CSRF check runs for
 * browser requests only: the client API authenticates with `X-API-Key`, not
 * cookies (app/middleware/browser_guards_middleware.ts).
 *
 * The Content Security Policy allows only the app's own scripts and styles:
 * the panel has no inline script, so an injected `<script>` cannot run.
 */
const shieldConfig = defineConfig({
  csp: {
    enabled: true,
    directives: {
      defaultSrc: [`'self'`],
      scriptSrc: [`'self'`],
      styleSrc: [`'self'`],
      imgSrc: [`'self'`, 'data:'],
      connectSrc: [`'self'`],
      formAction: [`'self'`],
      frameAncestors: [`'none'`],
      objectSrc: [`'none'`],
      baseUri: [`'self'`],
    },
    reportOnly: false,
  },
  csrf: {
    enabled: true,
    exceptRoutes: [],
    enableXsrfCookie: false,
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },
  xFrame: { enabled: true, action: 'DENY' },
  hsts: { enabled: true, maxAge: '180 days' },
  contentTypeSniffing: { enabled: true },
})

export default shieldConfig
