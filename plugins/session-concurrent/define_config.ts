import { ON_LIMIT, type OnLimit } from './policy.js'

export interface SessionConcurrentConfig {
  /** What a start does when `max_sessions` are live: refuse it, or end the oldest. */
  onLimit: OnLimit
}

/**
 * The settings of `session-concurrent` (`settings['session-concurrent']` in
 * config/plugins.ts), checked at boot.
 */
export function defineConfig(settings: Record<string, unknown>): SessionConcurrentConfig {
  const onLimit = settings.onLimit ?? 'deny'
  if (!ON_LIMIT.includes(onLimit as OnLimit)) {
    throw new Error(
      `onLimit must be ${ON_LIMIT.map((value) => `'${value}'`).join(' or ')}, not ${JSON.stringify(onLimit)}`
    )
  }
  return { onLimit: onLimit as OnLimit }
}
