import { definePluginsConfig } from '#plugin_host/define_plugin'

/*
| Which installed plugins (folders under plugins/) run, the session policy of
| licenses without one of their own, and per-plugin settings.
|
| `node ace.ts plugin:enable NAME` and `plugin:disable NAME` rewrite the
| `enabled` list below; keep it a plain list of strings.
*/
export default definePluginsConfig({
  enabled: [
    'session-single',
    'session-concurrent',
    'session-resumable',
    'version-gate',
    'lead-crm',
    'notifications',
    'resource-pools',
  ],
  defaultSessionPolicy: 'resumable',
  settings: {
    /** What a start does when max_sessions are live: 'deny' or 'replace_oldest'. */
    'session-concurrent': { onLimit: 'deny' },
    /** Seconds a heartbeat's update notice may come from a process's cache. */
    'version-gate': { noticeCacheSeconds: 5 },
    /**
     * Per type: where a released resource goes ('quarantine' or 'available'),
     * for how long, and below how many free ones the panel warns. A client's
     * report of a broken resource flags it, or also replaces it.
     */
    'resource-pools': {
      onReport: 'replace',
      maxRangeSize: 1024,
      types: {
        domain: { onRelease: 'quarantine', quarantineHours: 720, lowWatermark: 10 },
        ipv4: { onRelease: 'quarantine', quarantineHours: 720, lowWatermark: 10 },
        phone: { onRelease: 'quarantine', quarantineHours: 2160, lowWatermark: 10 },
      },
    },
  },
})
