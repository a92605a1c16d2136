/**
 * Parses a rate-limit setting such as `100 per minute`, `20/second`,
 * `1000 per 1 hour` or `0` (off) into requests and a duration in seconds.
 */
const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hour: 3600,
  hours: 3600,
  d: 86400,
  day: 86400,
  days: 86400,
}

export type RateLimit = { requests: number; durationSeconds: number } | null

export function parseRateLimit(value: string): RateLimit {
  const text = value.trim().toLowerCase()
  if (text === '0' || text === 'off' || text === '') return null
  const match = /^(\d+)\s*(?:per|\/)\s*(\d+)?\s*([a-z]+)$/.exec(text)
  const unit = match ? UNIT_SECONDS[match[3]] : undefined
  if (!match || !unit || Number(match[1]) <= 0 || Number(match[2] ?? 1) <= 0) {
    throw new Error(
      `Invalid rate limit "${value}": use e.g. "100 per minute", or "0" to switch it off`
    )
  }
  return { requests: Number(match[1]), durationSeconds: Number(match[2] ?? 1) * unit }
}
