import { formatBytes, formatMoment } from '#support/formatting'
import type { Status } from './figures.js'
import type { MonitoringData } from './monitoring_report.js'

type Translate = (key: string, data?: Record<string, unknown>) => string

/** The badge class of each status (the colour; the text says it too). */
export const STATUS_TONES: Record<Status, string> = {
  up: 'success',
  warning: 'warning',
  down: 'danger',
  unknown: 'muted',
}

export interface StatusDisplay {
  tone: string
  label: string
}

/**
 * The monitoring figures as the page writes them: one text per
 * `data-figure` name, one badge per `data-status` name, and the job runs'
 * rows. Computed on the server for the first render and for every live
 * update alike, so the page's script only puts the texts in place.
 */
export interface MonitoringDisplay {
  figures: Record<string, string>
  statuses: Record<string, StatusDisplay>
  jobRuns: {
    job: string
    outcome: StatusDisplay
    at: string
    duration: string
    lastSuccess: string
    error: string
  }[]
}

const DASH = '—'

export function formatSeconds(seconds: number | null | undefined) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return DASH
  const ms = seconds * 1000
  if (ms < 1000) return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`
  return `${seconds.toFixed(2)} s`
}

export function formatRate(perSecond: number | null | undefined) {
  if (perSecond === null || perSecond === undefined) return DASH
  return `${perSecond < 10 ? perSecond.toFixed(2) : perSecond.toFixed(1)}/s`
}

export function formatShare(share: number | null | undefined) {
  if (share === null || share === undefined) return DASH
  const percent = share * 100
  return `${percent === 0 || percent >= 10 ? percent.toFixed(0) : percent.toFixed(2)} %`
}

const count = (value: number | null | undefined) =>
  value === null || value === undefined ? DASH : String(value)

export function displayOf(data: MonitoringData, t: Translate): MonitoringDisplay {
  const status = (value: Status): StatusDisplay => ({
    tone: STATUS_TONES[value],
    label: t(`monitoring.status.${value}`),
  })
  const http = data.http
  const recent = http?.recent
  const queue = data.jobs.queue

  const figures: Record<string, string> = {
    'at': formatMoment(data.at, true),
    'requestRate': formatRate(recent?.requestsPerSecond),
    'requests': count(recent?.requests),
    'serverErrorShare': formatShare(recent?.serverErrorShare),
    'serverErrors': count(recent?.byClass['5xx']),
    'clientErrors': count(recent?.byClass['4xx']),
    'p50': formatSeconds(recent?.p50),
    'p99': formatSeconds(recent?.p99),
    'sessionsLive': count(data.sessionsLive),
    'processes': http ? String(http.processes.length) : DASH,
    'database.latency': formatLatency(data.database.latencyMs),
    'database.downSince': formatMoment(data.database.downSince, true),
    'redis.latency': formatLatency(data.redis.latencyMs),
    'redis.downSince': formatMoment(data.redis.downSince, true),
    'jobs.workerLastSeen': formatMoment(data.jobs.workerLastSeen, true),
    'queue.waiting': count(queue?.waiting),
    'queue.active': count(queue?.active),
    'queue.delayed': count(queue?.delayed),
    'queue.failed': count(queue?.failed),
    'backup.lastSuccessAt': formatMoment(data.backup.lastSuccessAt),
    'backup.lastSize': formatBytes(data.backup.lastSizeBytes),
    'backup.lastError': data.backup.lastError ?? DASH,
  }
  return {
    figures,
    statuses: {
      'database': status(data.database.status),
      'redis': status(data.redis.status),
      'jobs': status(data.jobs.status),
      'backup': status(data.backup.status),
      'http.errors': status(errorStatus(recent?.serverErrorShare)),
    },
    jobRuns: data.jobs.lastRuns.map((run) => ({
      job: run.job,
      outcome: {
        tone: run.outcome === 'failed' ? 'danger' : 'success',
        label: t(`monitoring.jobs.outcomes.${run.outcome}`),
      },
      at: formatMoment(run.at, true),
      duration: formatSeconds(run.durationMs / 1000),
      lastSuccess: formatMoment(run.lastSuccessAt, true),
      error: run.error ?? '',
    })),
  }
}

function formatLatency(ms: number | null) {
  return ms === null ? DASH : `${ms.toFixed(1)} ms`
}

/** Server errors: none is up, under 1 % (the HighErrorRate alert's threshold) a warning, more is down. */
export function errorStatus(share: number | null | undefined): Status {
  if (share === null || share === undefined) return 'unknown'
  if (share === 0) return 'up'
  return share <= 0.01 ? 'warning' : 'down'
}
