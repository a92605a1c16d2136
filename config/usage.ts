import env from '#start/env'

/**
 * Metered usage (app/services/usage). Events are kept for analytics and
 * for rolling meters, which count them: the retention must outlast the
 * longest rolling window (366 days).
 */
const eventRetentionDays = env.get('USAGE_EVENT_RETENTION_DAYS', 400)

if (!Number.isInteger(eventRetentionDays) || eventRetentionDays < 367) {
  throw new Error(
    `USAGE_EVENT_RETENTION_DAYS (${eventRetentionDays}) must be a whole number of at least 367: ` +
      'a rolling meter counts the events of up to 366 days'
  )
}

const usageConfig = {
  /** Usage events older than this are dropped, a month partition at a time. */
  eventRetentionDays,
  /** How long an idempotency key answers its first result. */
  idempotencyKeyHours: 24,
}

export default usageConfig
