import { Gauge, type Registry } from 'prom-client'
import readiness from '#services/readiness/readiness'

/**
 * `keyward_ready`: 1 while this process' readiness checks pass (the same
 * as `GET /health/ready` answering 200), 0 when one fails. Read at scrape
 * time from a report at most a few seconds old (`health.gaugeCacheMs`), so
 * scrapes do not multiply the checks. The `KeywardNotReady` alert watches it.
 */
export function registerReadinessGauge(registry: Registry) {
  return new Gauge({
    name: 'keyward_ready',
    help: 'Whether this process is ready (1) or a readiness check failed (0), as GET /health/ready.',
    registers: [registry],
    async collect() {
      const report = await readiness.recent()
      this.set(report.ready ? 1 : 0)
    },
  })
}
