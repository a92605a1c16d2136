import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { operatorAccess } from '#support/operator_access'

/**
 * Only operators read the metrics: a caller with `Authorization: Bearer
 * <METRICS_TOKEN>` (compared in constant time) or from an address in
 * `METRICS_ALLOW` (app/support/operator_access.ts; behind a proxy,
 * `TRUST_PROXY` decides which address counts). Anyone else gets `401
 * UNAUTHORIZED` in the API's error format, with `WWW-Authenticate: Bearer`,
 * and learns nothing more.
 */
export default class MetricsAccessMiddleware {
  handle(ctx: HttpContext, next: NextFn) {
    if (operatorAccess().allows(ctx.request)) return next()
    ctx.response
      .status(401)
      .header('WWW-Authenticate', 'Bearer realm="metrics"')
      .header('Cache-Control', 'no-store')
      .send({ error: { code: 'UNAUTHORIZED', message: ctx.i18n.t('api.UNAUTHORIZED') } })
  }
}
