import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import License from '#models/license'
import LicenseEntitlements from '#services/license_entitlements'
import DeviceTransfers from '#services/device_transfers'
import UsageReport from '#services/usage/usage_report'
import { whereSessionLive } from '#rules/session_live'
import { Clock } from '#support/clock'

/**
 * A license's page: the license with its product and customer, its
 * devices, its live sessions, the last of its session history and of its
 * audit trail (its batch's rows included).
 */
@inject()
export default class LicenseDetails {
  constructor(
    protected clock: Clock,
    protected entitlements: LicenseEntitlements,
    protected usage: UsageReport,
    protected transfers: DeviceTransfers
  ) {}

  async of(licenseId: number) {
    const license = await License.query()
      .where('id', licenseId)
      .preload('product')
      .preload('customer')
      .preload('template')
      .firstOrFail()
    const now = this.clock.now()
    const [devices, live, history, audit] = await Promise.all([
      db
        .from('devices')
        .where('license_id', license.id)
        .orderBy('active', 'desc')
        .orderBy('last_seen_at', 'desc')
        .orderBy('id'),
      whereSessionLive(
        db.from('license_sessions').where('license_id', license.id),
        null,
        now.toJSDate()
      ).orderBy('started_at', 'desc'),
      db
        .from('session_history')
        .where('license_id', license.id)
        .orderBy('ended_at', 'desc')
        .limit(50),
      db
        .from('audit_logs')
        .where((where) => {
          where.where({ subject_type: 'license', subject_id: String(license.id) })
          if (license.batchId) {
            where.orWhere({ subject_type: 'license_batch', subject_id: license.batchId })
          }
        })
        .orderBy('id', 'desc')
        .limit(100),
    ])
    return {
      license,
      status: license.statusAt(now),
      devices,
      live,
      history,
      audit,
      entitlements: await this.entitlements.standingsOf(license),
      meters: await this.usage.of(license),
      transfers: {
        history: await this.transfers.history(license.id),
        standing: await this.transfers.standingOf(license),
      },
    }
  }
}
