import type { EventsList } from '@adonisjs/core/types'
import type { EventLicense } from '../../../types/events.js'

/**
 * The notifications Keyward sends, by their webhook `type`. An endpoint and
 * an admin's e-mail subscribe to these names.
 */
export const NOTIFICATION_TYPES = [
  'security.alert_opened',
  'license.created',
  'license.suspended',
  'license.revoked',
  'license.reactivated',
  'license.expiring',
  'license.expired',
  'license.limit_reached',
  'usage.limit_reached',
  'backup.failed',
  'backup.overdue',
  'worker.silent',
] as const
export type NotificationType = (typeof NOTIFICATION_TYPES)[number]

/** What a test send delivers: only to the endpoint it is sent to. */
export const PING = 'ping'

/** The domain events (types/events.ts) this plugin listens to. */
export const LISTENED_EVENTS = [
  'security:alert_opened',
  'license:created',
  'license:status_changed',
  'license:expiring',
  'license:expired',
  'license:limit_reached',
  'usage:limit_reached',
  'backup:failed',
  'backup:overdue',
  'worker:silent',
] as const satisfies (keyof EventsList)[]
export type ListenedEvent = (typeof LISTENED_EVENTS)[number]

/** A notification: its type, its JSON data, and where the panel shows its subject. */
export interface Notification {
  type: NotificationType | typeof PING
  data: Record<string, unknown>
  /** A panel path (`/admin/...`) for e-mails' links. */
  panelPath: string
}

/** A license in a payload: snake_case, as the client API names things. */
const licenseData = (license: EventLicense) => ({
  id: license.id,
  key: license.key,
  product_id: license.productId,
  customer_id: license.customerId,
})

const licensePath = (license: EventLicense) => `/admin/licenses/${license.id}`

/** A batch larger than this names its first licenses only, with the count. */
export const MAX_LICENSES_IN_PAYLOAD = 100

function licenseList(licenses: EventLicense[]) {
  return {
    count: licenses.length,
    licenses: licenses.slice(0, MAX_LICENSES_IN_PAYLOAD).map(licenseData),
    truncated: licenses.length > MAX_LICENSES_IN_PAYLOAD,
  }
}

const STATUS_TYPES = {
  active: 'license.reactivated',
  suspended: 'license.suspended',
  revoked: 'license.revoked',
} as const

const licenseListPath = (licenses: EventLicense[]) =>
  licenses.length === 1 ? licensePath(licenses[0]) : '/admin/licenses'

/** How each domain event becomes a notification. */
const BUILDERS: { [Name in ListenedEvent]: (payload: EventsList[Name]) => Notification } = {
  'security:alert_opened': (p) => ({
    type: 'security.alert_opened',
    data: {
      alert_id: p.alertId,
      rule: p.rule,
      severity: p.severity,
      summary: p.summary,
      license: p.license ? licenseData(p.license) : null,
      ip: p.ip,
    },
    panelPath: `/admin/security/alerts/${p.alertId}`,
  }),
  'license:created': (p) => ({
    type: 'license.created',
    data: { batch_id: p.batchId, ...licenseList(p.licenses), actor: p.actor },
    panelPath: licenseListPath(p.licenses),
  }),
  'license:status_changed': (p) => ({
    type: STATUS_TYPES[p.status],
    data: { status: p.status, ...licenseList(p.licenses), actor: p.actor },
    panelPath: licenseListPath(p.licenses),
  }),
  'license:expiring': (p) => ({
    type: 'license.expiring',
    data: { license: licenseData(p.license), expires_at: p.expiresAt, days_left: p.daysLeft },
    panelPath: licensePath(p.license),
  }),
  'license:expired': (p) => ({
    type: 'license.expired',
    data: { license: licenseData(p.license), expired_at: p.expiredAt },
    panelPath: licensePath(p.license),
  }),
  'license:limit_reached': (p) => ({
    type: 'license.limit_reached',
    data: {
      license: licenseData(p.license),
      limit: p.limit,
      max: p.max,
      fingerprint_digest: p.fingerprintDigest,
      ip: p.ip,
    },
    panelPath: licensePath(p.license),
  }),
  'usage:limit_reached': (p) => ({
    type: 'usage.limit_reached',
    data: {
      license: licenseData(p.license),
      meter: p.meter,
      limit: p.limit,
      used: p.used,
      resets_at: p.resetsAt,
    },
    panelPath: licensePath(p.license),
  }),
  'backup:failed': (p) => ({
    type: 'backup.failed',
    data: { backup_id: p.backupId, reason: p.reason },
    panelPath: '/admin/backups',
  }),
  'backup:overdue': (p) => ({
    type: 'backup.overdue',
    data: { last_success_at: p.lastSuccessAt, max_age_hours: p.maxAgeHours },
    panelPath: '/admin/backups',
  }),
  'worker:silent': (p) => ({
    type: 'worker.silent',
    data: { last_beat_at: p.lastBeatAt },
    panelPath: '/admin/monitoring',
  }),
}

/** The notification a domain event becomes. */
export function notificationOf<Name extends ListenedEvent>(
  event: Name,
  payload: EventsList[Name]
): Notification {
  const build = BUILDERS[event] as (payload: EventsList[Name]) => Notification
  return build(payload)
}
