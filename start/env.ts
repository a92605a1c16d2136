/*
| Every setting comes from the environment (or `.env`), each with a default
| that works on a developer machine where PostgreSQL and Redis run locally.
| `APP_KEY` has no default on purpose: `npm run quickstart` writes one into
| `.env` on first run, and a production server must be given its own.
*/
import { Env } from '@adonisjs/core/env'

export default await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: Env.schema.enum.optional(['development', 'production', 'test'] as const),
  PORT: Env.schema.number.optional(),
  HOST: Env.schema.string.optional({ format: 'host' }),
  APP_KEY: Env.schema.secret(),
  APP_URL: Env.schema.string.optional({ format: 'url', tld: false }),
  LOG_LEVEL: Env.schema.string.optional(),
  TRUST_PROXY: Env.schema.string.optional(),

  DATABASE_URL: Env.schema.string.optional(),
  DATABASE_POOL_MAX: Env.schema.number.optional(),
  DATABASE_PREPARED_STATEMENTS: Env.schema.boolean.optional(),
  REDIS_URL: Env.schema.string.optional(),
  REDIS_KEY_PREFIX: Env.schema.string.optional(),

  API_RATE_LIMIT: Env.schema.string.optional(),
  API_KEY_CACHE_MS: Env.schema.number.optional(),
  HEARTBEAT_BATCH_MAX: Env.schema.number.optional(),
  HEARTBEAT_BATCH_IN_FLIGHT: Env.schema.number.optional(),

  SESSION_HEARTBEAT_INTERVAL: Env.schema.number.optional(),
  SESSION_TIMEOUT: Env.schema.number.optional(),
  SESSION_SWEEP_EVERY: Env.schema.string.optional(),
  HEARTBEAT_RETENTION_DAYS: Env.schema.number.optional(),
  USAGE_EVENT_RETENTION_DAYS: Env.schema.number.optional(),

  LEASE_OFFLINE_GRACE: Env.schema.string.optional(),
  LEASE_KEYRING_PATH: Env.schema.string.optional(),
  LEASE_KEYRING: Env.schema.secret.optional(),

  PANEL_SESSION_STORE: Env.schema.enum.optional(['redis', 'cookie'] as const),
  PANEL_SESSION_AGE: Env.schema.string.optional(),
  PANEL_LOGIN_MAX_ATTEMPTS: Env.schema.number.optional(),
  PANEL_LOGIN_MAX_ATTEMPTS_PER_IP: Env.schema.number.optional(),
  PANEL_LOGIN_LOCKOUT: Env.schema.string.optional(),
  PANEL_REQUIRE_TWO_FACTOR: Env.schema.boolean.optional(),
  PANEL_LIVE_INTERVAL: Env.schema.number.optional(),

  BACKUP_DIR: Env.schema.string.optional(),
  BACKUP_KEY: Env.schema.secret.optional(),
  BACKUP_ENCRYPTION: Env.schema.enum.optional(['on', 'off'] as const),
  BACKUP_UPLOAD_COMMAND: Env.schema.string.optional(),
  BACKUP_SCHEDULE: Env.schema.string.optional(),
  BACKUP_TIMEZONE: Env.schema.string.optional(),
  BACKUP_KEEP_DAILY: Env.schema.number.optional(),
  BACKUP_KEEP_WEEKLY: Env.schema.number.optional(),
  BACKUP_KEEP_LAST: Env.schema.number.optional(),
  BACKUP_VERIFY: Env.schema.boolean.optional(),

  METRICS_ENABLED: Env.schema.boolean.optional(),
  METRICS_TOKEN: Env.schema.secret.optional(),
  METRICS_ALLOW: Env.schema.string.optional(),
  JOBS_METRICS_PORT: Env.schema.number.optional(),
  /** Seconds between two samples of the monitoring page's figures (default 10). */
  MONITORING_SAMPLE_INTERVAL: Env.schema.number.optional(),

  HEALTH_MAX_BACKUP_AGE: Env.schema.string.optional(),
  HEALTH_MAX_WORKER_SILENCE: Env.schema.string.optional(),
  HEALTH_DISK_MAX_USED_PERCENT: Env.schema.number.optional(),
  HEALTH_HEAP_MAX: Env.schema.string.optional(),

  /** E-mail notifications (plugin notifications); without SMTP_HOST no e-mail is sent. */
  SMTP_HOST: Env.schema.string.optional({ format: 'host' }),
  SMTP_PORT: Env.schema.number.optional(),
  SMTP_USER: Env.schema.string.optional(),
  SMTP_PASSWORD: Env.schema.secret.optional(),
  SMTP_SECURE: Env.schema.boolean.optional(),
  MAIL_FROM: Env.schema.string.optional(),
})
