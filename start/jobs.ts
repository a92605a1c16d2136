/*
| The core's scheduled jobs. Enabled plugins add theirs through the plugin
| host; `node ace.ts jobs:work` schedules and runs them all, `jobs:list`
| shows them, `jobs:run NAME` runs one now.
*/
import type { JobDefinition } from '#plugin_host/define_plugin'
import sessionsConfig from '#config/sessions'
import backupsConfig from '#config/backups'
import securityConfig from '#config/security'

export const coreJobs: JobDefinition[] = [
  {
    name: 'sessions:sweep',
    description: 'Move expired sessions to the history as timeout',
    every: sessionsConfig.sweepEvery,
    handler: () => import('#jobs/sweep_expired_sessions'),
  },
  {
    name: 'heartbeats:partitions',
    description: 'Create heartbeat partitions ahead, drop those past retention',
    cron: '17 3 * * *',
    handler: () => import('#jobs/maintain_heartbeat_partitions'),
  },
  {
    name: 'usage:upkeep',
    description:
      'Create usage event partitions ahead, drop those past retention; purge idempotency keys older than 24 h',
    cron: '41 * * * *',
    handler: () => import('#jobs/maintain_usage'),
  },
  {
    name: 'usage:hourly',
    description: 'Record per-license usage for each full hour, catching up missed hours',
    cron: '5 * * * *',
    handler: () => import('#jobs/record_hourly_usage'),
  },
  {
    name: 'security:detect',
    description:
      'Run the security detectors over recent events; open alerts, take automatic actions',
    every: securityConfig.detectEvery,
    handler: () => import('#jobs/detect_security_anomalies'),
  },
  {
    name: 'security:partitions',
    description: 'Create security event partitions ahead, drop those past retention',
    cron: '23 3 * * *',
    handler: () => import('#jobs/maintain_security_events'),
  },
  {
    name: 'backups:create',
    description: 'Back up the database, lease keyring and plugin selection; verify, upload, prune',
    cron: backupsConfig.schedule,
    timezone: backupsConfig.timezone,
    handler: () => import('#jobs/create_backup'),
  },
  {
    name: 'backups:restore',
    description: 'Restore a backup the panel asked for (no schedule: enqueued on demand)',
    manual: true,
    handler: () => import('#jobs/restore_backup'),
  },
]
