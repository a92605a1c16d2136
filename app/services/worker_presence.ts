import redis from '@adonisjs/redis/services/main'

/** A worker that has not beaten for this long is forgotten by `lastSeen`. */
const FORGET_AFTER_MS = 24 * 3600 * 1000
const WORKERS_KEY = 'jobs:workers'
const LAST_RUNS_KEY = 'jobs:last_runs'

export interface LastJobRun {
  job: string
  /** When the last run ended. */
  at: Date
  outcome: 'succeeded' | 'failed'
  durationMs: number
  /** The failure's message (never a stack), when it failed. */
  error: string | null
  /** When a run of this job last succeeded, if ever. */
  lastSuccessAt: Date | null
}

/**
 * What every process knows of the job workers, through Redis: when a
 * worker was last alive (`jobs:work` beats every few seconds) and how each
 * job's last run went. Readiness, metrics and the monitoring page read it;
 * only the worker writes it.
 */
export default class WorkerPresence {
  /** Says that the worker `workerId` (host:pid) is alive at `at`. */
  async beat(workerId: string, at: number = Date.now()) {
    await redis.hset(WORKERS_KEY, workerId, String(at))
  }

  /** When any worker was last alive, or null when none ever was (or for a day). */
  async lastSeen(now: number = Date.now()): Promise<Date | null> {
    const beats = await redis.hgetall(WORKERS_KEY)
    let newest: number | null = null
    const stale: string[] = []
    for (const [workerId, value] of Object.entries(beats)) {
      const at = Number(value)
      if (!Number.isFinite(at) || now - at > FORGET_AFTER_MS) stale.push(workerId)
      else if (newest === null || at > newest) newest = at
    }
    if (stale.length > 0) await redis.hdel(WORKERS_KEY, ...stale)
    return newest === null ? null : new Date(newest)
  }

  /** Records how a job's run ended. */
  async recordRun(
    report: { name: string; durationMs: number; error?: unknown },
    at: number = Date.now()
  ) {
    const previous = await this.#read(report.name)
    const failed = report.error !== undefined
    const run = {
      at,
      outcome: failed ? 'failed' : 'succeeded',
      durationMs: report.durationMs,
      error: failed ? messageOf(report.error) : null,
      lastSuccessAt: failed ? (previous?.lastSuccessAt ?? null) : at,
    }
    await redis.hset(LAST_RUNS_KEY, report.name, JSON.stringify(run))
  }

  /** The last run of each job that ever ran, by job name. */
  async lastRuns(): Promise<LastJobRun[]> {
    const runs = await redis.hgetall(LAST_RUNS_KEY)
    return Object.entries(runs)
      .map(([job, value]) => toRun(job, value))
      .filter((run): run is LastJobRun => run !== null)
      .sort((a, b) => a.job.localeCompare(b.job))
  }

  async #read(job: string) {
    const value = await redis.hget(LAST_RUNS_KEY, job)
    return value === null ? null : (JSON.parse(value) as { lastSuccessAt: number | null })
  }
}

function messageOf(error: unknown) {
  const message = error instanceof Error ? error.message || error.name : String(error)
  return message.slice(0, 500)
}

function toRun(job: string, value: string): LastJobRun | null {
  try {
    const run = JSON.parse(value)
    return {
      job,
      at: new Date(run.at),
      outcome: run.outcome === 'failed' ? 'failed' : 'succeeded',
      durationMs: Number(run.durationMs),
      error: run.error ?? null,
      lastSuccessAt: run.lastSuccessAt ? new Date(run.lastSuccessAt) : null,
    }
  } catch {
    return null
  }
}
