/**
 * When a failed webhook delivery is tried again: exponential backoff from
 * one minute, doubling, capped at eight hours, with ±20 % jitter so that
 * many deliveries failing together do not all come back at once. Thirteen
 * attempts: the twelfth comes about 24.5 h after the first (1+2+4+…+256
 * min, then 8 h twice), the thirteenth 8 h later, so that even with the
 * jitter the schedule outlasts the day after which a failing endpoint is
 * switched off (webhook_delivery.ts).
 */
export const MAX_ATTEMPTS = 13
const BASE_MS = 60_000
const CAP_MS = 8 * 3_600_000
const JITTER = 0.2

/**
 * Milliseconds from the failed attempt number `attempt` (1-based) to the
 * next one, or null when it was the last. `random` is in [0, 1).
 */
export function retryDelayMs(attempt: number, random: () => number = Math.random): number | null {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be a whole number from 1, not ${attempt}`)
  }
  if (attempt >= MAX_ATTEMPTS) return null
  const nominal = Math.min(BASE_MS * 2 ** (attempt - 1), CAP_MS)
  return Math.round(nominal * (1 + JITTER * (2 * random() - 1)))
}

/** The nominal (jitter-free) delays of the whole schedule, for the docs and the panel. */
export function nominalSchedule(): number[] {
  const delays: number[] = []
  for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt++)
    delays.push(retryDelayMs(attempt, () => 0.5)!)
  return delays
}
