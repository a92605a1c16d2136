import { defineConfig } from '@adonisjs/shield'
import { isClientApiRequest } from '#support/client_api'

/**
 * Browser protections for the panel. The client API authenticates with
 * `X-API-Key`, not cookies, so it is outside CSRF protection.
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
    exceptRoutes: (ctx) => isClientApiRequest(ctx),
    enableXsrfCookie: false,
    methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
  },
  xFrame: { enabled: true, action: 'DENY' },
  hsts: { enabled: true, maxAge: '180 days' },
  contentTypeSniffing: { enabled: true },
})

export default shieldConfig
