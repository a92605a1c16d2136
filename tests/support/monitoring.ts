import Metrics from '#services/metrics'

/**
 * A registry of its own with the HTTP request counter and latency histogram
 * exactly as the metrics service defines them: what a "web process" of a
 * monitoring test records into and samples.
 */
export function httpMetrics() {
  const metrics = new Metrics({ enabled: true })
  return {
    registry: metrics.registry,
    requests: metrics.httpRequests,
    duration: metrics.httpDuration,
  }
}
