import { inject } from '@adonisjs/core'
import app from '@adonisjs/core/services/app'
import i18nManager from '@adonisjs/i18n/services/main'
import db from '@adonisjs/lucid/services/db'
import edge from 'edge.js'
import { Mailer } from './mailer.js'

type Data = Record<string, any>

/**
 * What an event's sentence names, by type: the values its translation
 * (`notifications.mail.<type>`) interpolates.
 */
export function messageParams(type: string, data: Data): Record<string, string | number> {
  const license = data.license?.key ?? data.licenses?.[0]?.key ?? ''
  switch (type) {
    case 'security.alert_opened':
      return { summary: data.summary, severity: data.severity, rule: data.rule }
    case 'license.created':
    case 'license.suspended':
    case 'license.revoked':
    case 'license.reactivated':
      return { count: data.count, key: license }
    case 'license.expiring':
      return { key: license, days: data.days_left, date: String(data.expires_at).slice(0, 10) }
    case 'license.expired':
      return { key: license, date: String(data.expired_at).slice(0, 10) }
    case 'license.limit_reached':
      return { key: license, limit: data.limit, max: data.max }
    case 'usage.limit_reached':
      return { key: license, meter: data.meter, limit: data.limit, used: data.used }
    case 'backup.failed':
      return { reason: data.reason }
    case 'backup.overdue':
      return { hours: data.max_age_hours }
    case 'worker.silent':
      return { since: data.last_beat_at ?? '—' }
    default:
      return {}
  }
}

/**
 * The e-mail of one event to one admin: in the admin's language (their
 * panel setting), rendered from the plugin's Edge views
 * (`emails/<locale>.edge`), with links into the panel at APP_URL. An
 * admin who unsubscribed since the event was queued gets nothing.
 */
@inject()
export class EmailNotifier {
  constructor(protected mailer: Mailer) {}

  async send(eventId: string, adminId: number) {
    const event = await db.from('notifications_events').where('id', eventId).first()
    const admin = await db
      .from('admin_users')
      .join('notifications_email_subscriptions as s', 's.admin_user_id', 'admin_users.id')
      .where('admin_users.id', adminId)
      .where('s.event_type', event?.type ?? '')
      .select('admin_users.email', 'admin_users.locale')
      .first()
    if (!event || !admin) return { sent: false as const }
    const mail = await this.compose(event, admin.locale)
    const { messageId } = await this.mailer.send({ to: admin.email, ...mail })
    return { sent: true as const, messageId }
  }

  async compose(
    event: { type: string; data: Data; panel_path: string },
    locale: string
  ): Promise<{ subject: string; html: string; text: string }> {
    const i18n = i18nManager.locale(locale)
    const key = event.type.replace('.', '_')
    const params = messageParams(event.type, event.data)
    const base = String(app.config.get('app.appUrl')).replace(/\/+$/, '')
    const state = {
      locale,
      title: i18n.t(`notifications.types.${key}`),
      sentence: i18n.t(`notifications.mail.${key}`, params),
      link: `${base}${event.panel_path}`,
      settingsLink: `${base}/admin/notifications/email`,
      data: JSON.stringify(event.data, null, 2),
    }
    const html = await edge.render(`notifications::emails/${locale}`, { ...state, format: 'html' })
    const text = await edge.render(`notifications::emails/${locale}`, { ...state, format: 'text' })
    return { subject: `[Keyward] ${state.sentence}`, html, text }
  }
}
