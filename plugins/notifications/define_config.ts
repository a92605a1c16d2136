export interface NotificationsConfig {
  /** How long a webhook receiver has to answer, in milliseconds. */
  timeoutMs: number
  /** How much of a receiver's answer is read before the connection is cut. */
  maxResponseBytes: number
  /**
   * Whether webhook URLs may resolve to loopback, link-local and private
   * addresses; null: only outside production (development and tests).
   */
  allowPrivateAddresses: boolean | null
  /** After how long of nothing but failures an endpoint is switched off. */
  disableAfterMs: number
  /** How many days ahead `license.expiring` is announced. */
  expiringWithinDays: number
  /** At most one `license.limit_reached` per license in this many seconds. */
  limitThrottleSeconds: number
}

function numberIn(
  settings: Record<string, unknown>,
  name: string,
  fallback: number,
  [min, max]: [number, number]
) {
  const value = settings[name] ?? fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, not ${String(value)}`)
  }
  return value
}

/** Checks `settings['notifications']` of config/plugins.ts and fills in the defaults. */
export function defineConfig(settings: Record<string, unknown>): NotificationsConfig {
  const allow = settings.allowPrivateAddresses ?? null
  if (allow !== null && typeof allow !== 'boolean') {
    throw new Error(`allowPrivateAddresses must be true or false, not ${String(allow)}`)
  }
  return {
    timeoutMs: numberIn(settings, 'timeoutSeconds', 10, [1, 60]) * 1000,
    maxResponseBytes: numberIn(settings, 'maxResponseBytes', 64 * 1024, [0, 10 * 1024 * 1024]),
    allowPrivateAddresses: allow,
    disableAfterMs: numberIn(settings, 'disableAfterHours', 24, [1, 24 * 30]) * 3_600_000,
    expiringWithinDays: numberIn(settings, 'expiringWithinDays', 7, [1, 365]),
    limitThrottleSeconds: numberIn(settings, 'limitThrottleSeconds', 3600, [1, 86_400]),
  }
}
