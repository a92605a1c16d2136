import type { HttpContext } from '@adonisjs/core/http'
import readiness from '#services/readiness/readiness'
import { operatorAccess } from '#support/operator_access'

/**
 * The probes. `live` answers without any I/O: the process is up. `ready`
 * runs the readiness checks: 200 when none failed (warnings allowed), 503
 * when one did. The internet learns only that; an operator (the metrics
 * token, or an address in METRICS_ALLOW) gets every check's result.
 */
export default class HealthController {
  live() {
    return { status: 'ok' }
  }

  async ready({ request, response }: HttpContext) {
    const report = await readiness.run()
    const status = report.ready ? 'ok' : 'error'
    response.status(report.ready ? 200 : 503)
    response.header('cache-control', 'no-store')
    if (!operatorAccess().allows(request)) return { status }
    return { status, finishedAt: report.finishedAt.toISOString(), checks: report.checks }
  }
}
