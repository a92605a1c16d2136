import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'
import type { JobRunReport } from '#services/job_scheduler'

/** Buckets of `keyward_job_duration_seconds`: from the sweeper's milliseconds to a long backup. */
export const JOB_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600]

/**
 * The job worker's own registry (`jobs:work`, served on JOBS_METRICS_PORT):
 * how each job's runs end and how long they take, plus the worker process'
 * default metrics. The web processes' gauges are not here: every web
 * process already reports them.
 */
export default class JobMetrics {
  readonly registry = new Registry()
  readonly runs: Counter<'job_name' | 'outcome'>
  readonly duration: Histogram<'job_name'>

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry]
    this.runs = new Counter({
      name: 'keyward_job_runs_total',
      help: 'Job runs on this worker, by job and outcome (succeeded, failed).',
      labelNames: ['job_name', 'outcome'] as const,
      registers,
    })
    this.duration = new Histogram({
      name: 'keyward_job_duration_seconds',
      help: 'How long job runs on this worker took, by job.',
      labelNames: ['job_name'] as const,
      buckets: JOB_DURATION_BUCKETS,
      registers,
    })
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry })
  }

  /** One finished run (the worker's `onRun`). */
  record(report: JobRunReport) {
    const outcome = report.error === undefined ? 'succeeded' : 'failed'
    this.runs.inc({ job_name: report.name, outcome })
    this.duration.observe({ job_name: report.name }, report.durationMs / 1000)
  }
}
