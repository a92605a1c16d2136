export interface VersionGateConfig {
  /** How long a heartbeat's update notice may come from a process's cache, in ms. */
  noticeCacheMs: number
}

/**
 * The settings of `version-gate` (`settings['version-gate']` in
 * config/plugins.ts), checked at boot: `noticeCacheSeconds`, 0 to 3600,
 * default 5.
 */
export function defineConfig(settings: Record<string, unknown>): VersionGateConfig {
  const seconds = settings.noticeCacheSeconds ?? 5
  if (typeof seconds !== 'number' || !(seconds >= 0 && seconds <= 3600)) {
    throw new Error(
      `noticeCacheSeconds must be a number of seconds from 0 to 3600, not ${JSON.stringify(seconds)}`
    )
  }
  return { noticeCacheMs: seconds * 1000 }
}
