import { defineConfig } from '@adonisjs/shield'

/**
 * Browser protections for the panel. The client API authenticates with
 * `X-API-Key`, not cookies, and never passes through Shield (see
 * app/middleware/browser_middleware.ts).
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
