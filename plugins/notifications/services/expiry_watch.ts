import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import { announce, Clock } from '#plugin_host/api'
import { NotificationsSettings } from './settings.js'

const DAY_MS = 86_400_000
/** How far back an expiry still counts as news (a first run does not announce old ones). */
const EXPIRED_LOOKBACK_DAYS = 7
/** How long events are kept for the delivery log and redelivery. */
const EVENT_RETENTION_DAYS = 30

type LicenseRow = {
  id: number
  key: string
  product_id: number
  customer_id: number | null
  expires_at: Date
  ends_at: Date
}

const licenseOf = (row: LicenseRow) => ({
  id: row.id,
  key: row.key,
  productId: row.product_id,
  customerId: row.customer_id,
})

/**
 * The daily look at expiries: `license:expiring` for active licenses that
 * expire within `expiringWithinDays`, `license:expired` for those whose
 * expiry (and the product's grace) has passed. Each is announced once per
 * license and expiry date (notifications_expiry_notices): a license that is
 * renewed gets a new expiry, and is announced again when that one nears.
 */
@inject()
export class ExpiryWatch {
  constructor(
    protected clock: Clock,
    protected settings: NotificationsSettings
  ) {}

  async run() {
    const now = this.clock.now().toJSDate()
    const horizon = new Date(now.getTime() + this.settings.config.expiringWithinDays * DAY_MS)
    const expiring = await this.claim('expiring', now, {
      where: 'l.expires_at > ? AND l.expires_at <= ?',
      bindings: [now, horizon],
    })
    for (const row of expiring) {
      announce('license:expiring', {
        license: licenseOf(row),
        expiresAt: row.expires_at.toISOString(),
        daysLeft: Math.ceil((row.expires_at.getTime() - now.getTime()) / DAY_MS),
      })
    }
    const expired = await this.claim('expired', now, {
      where: `${ENDS_AT} <= ? AND ${ENDS_AT} > ?`,
      bindings: [now, new Date(now.getTime() - EXPIRED_LOOKBACK_DAYS * DAY_MS)],
    })
    for (const row of expired) {
      announce('license:expired', { license: licenseOf(row), expiredAt: row.ends_at.toISOString() })
    }
    const pruned = await db
      .from('notifications_events')
      .where('created_at', '<', new Date(now.getTime() - EVENT_RETENTION_DAYS * DAY_MS))
      .delete()
    return { expiring: expiring.length, expired: expired.length, eventsPruned: Number(pruned) }
  }

  /** The licenses matching `where` whose notice of `kind` this run inserted (not an earlier one). */
  protected async claim(
    kind: 'expiring' | 'expired',
    now: Date,
    filter: { where: string; bindings: unknown[] }
  ): Promise<LicenseRow[]> {
    const result = await db.rawQuery(
      `WITH due AS (
         SELECT l.id, l.key, l.product_id, l.customer_id, l.expires_at, ${ENDS_AT} AS ends_at
           FROM licenses l JOIN products p ON p.id = l.product_id
          WHERE l.status = 'active' AND l.expires_at IS NOT NULL AND ${filter.where}
       ), inserted AS (
         INSERT INTO notifications_expiry_notices (license_id, kind, expires_at, created_at)
         SELECT id, ?, expires_at, ? FROM due
         ON CONFLICT DO NOTHING
         RETURNING license_id
       )
       SELECT due.* FROM due JOIN inserted ON inserted.license_id = due.id ORDER BY due.id`,
      [...filter.bindings, kind, now] as any[]
    )
    return result.rows
  }
}

/** When a license stops being usable: its expiry plus the product's grace days. */
const ENDS_AT = `(l.expires_at + make_interval(days => p.expiry_grace_days))`
